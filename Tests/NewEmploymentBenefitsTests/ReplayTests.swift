import Foundation
import Kafka
import NewEmploymentBenefits
import SampleStreams
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("new-employment benefits replay", .timeLimit(.minutes(3)))
struct ReplayTests {
    @Test("a mixed stream of 3,000 events processed twice into fresh stores, the second on each engine, gives identical stores and notification streams", arguments: StoreEngine.allCases)
    func replayIsDeterministic(engine: StoreEngine) async throws {
        // One input partition: quota seats and the waiting list are shared by all workers, and between
        // partitions Kafka defines no order, so only one partition makes "first come" the same twice.
        let broker = try EmbeddedBroker()
        try broker.createTopic("welfare.new-employment-benefits", partitions: 1)
        try broker.createTopic("welfare.new-employment-benefits.dlq", partitions: 3)
        try broker.createTopic("notifications.first", partitions: 12)
        try broker.createTopic("notifications.second", partitions: 12)
        let secret = "replay-voucher-secret-0123456789"
        let stream = NewEmploymentBenefitsStream(workers: 120, seed: 5, voucherSecret: secret).messages(count: 3_000)
        try await publish(stream.map { ($0.key, $0.value) }, topic: "welfare.new-employment-benefits", bootstrap: broker.bootstrapServers)

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // A small hardship quota so that the waiting list and promotions are exercised.
        var benefits = BenefitCatalogue.contract.benefits.filter { $0.code != "HARDSHIP_GRANT" }
        benefits.append(.init(code: "HARDSHIP_GRANT", yearlyLimit: 1, yearlyQuota: 3, minActiveDays: 0, occupations: nil, voucherValidDays: 30))
        let domain = NewEmploymentBenefitsDomain(settings: BenefitSettings(catalogue: BenefitCatalogue(version: "replay", benefits: benefits), voucherSecret: secret))
        let first = try EngineRunner(domain: domain, bootstrap: broker.bootstrapServers, inputTopic: "welfare.new-employment-benefits",
                                     notificationsTopic: "notifications.first", directory: directory)
        #expect(try await first.runUntilProcessed(stream.count))
        let second = try EngineRunner(domain: domain, bootstrap: broker.bootstrapServers, inputTopic: "welfare.new-employment-benefits",
                                      notificationsTopic: "notifications.second", directory: directory, storeEngine: engine)
        #expect(try await second.runUntilProcessed(stream.count))

        let differences = try await ReplayComparison.storeDifferences(first, second, queries: [
            "SELECT * FROM ne_workers ORDER BY worker_id", "SELECT * FROM ne_activity ORDER BY worker_id, day, platform",
            "SELECT * FROM ne_applications ORDER BY seq", "SELECT * FROM ne_quota_seats ORDER BY benefit_code, year",
            "SELECT * FROM ne_redemptions ORDER BY redemption_id", "SELECT * FROM runtime_message_outcomes ORDER BY partition, \"offset\"",
            "SELECT event_id, value_hash, partition, \"offset\", outcome, reason_code, detail, seen_us FROM runtime_events ORDER BY event_id",  // names through the view above
        ])
        #expect(differences.isEmpty, "\(differences.prefix(3))")
        #expect(Set(try await first.strings("SELECT DISTINCT outcome FROM runtime_message_outcomes")) == ["applied", "rejected", "duplicate", "dead_lettered"])
        #expect(Set(try await first.strings("SELECT DISTINCT state FROM ne_applications")) == ["GRANTED", "WAITLISTED", "DENIED", "REDEEMED", "CANCELLED"])

        // With one input partition, each notification partition holds the same messages in the same order.
        let a = try await readAll("notifications.first", partitions: 12, bootstrap: broker.bootstrapServers)
        let b = try await readAll("notifications.second", partitions: 12, bootstrap: broker.bootstrapServers)
        func ordered(_ messages: [ConsumedMessage]) -> [[UInt8]] {
            messages.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }.map { $0.value ?? [] }
        }
        #expect(a.count > 500 && a.count == b.count)
        #expect(ordered(a) == ordered(b))
        let promoted = a.contains { String(decoding: $0.value ?? [], as: UTF8.self).contains("\"promoted\":true") }
        #expect(promoted, "the stream should promote someone from the waiting list")
    }
}
