import Foundation
import Kafka
import SampleStreams
import Testing
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

@Suite("volunteer-hours replay", .timeLimit(.minutes(3)))
struct ReplayTests {

    @Test("a mixed stream of 3,000 events processed twice into fresh stores, the second on each engine, gives identical stores and notification streams", arguments: StoreEngine.allCases)
    func replayIsDeterministic(engine: StoreEngine) async throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("welfare.volunteer-hours", partitions: 4)
        try broker.createTopic("welfare.volunteer-hours.dlq", partitions: 3)
        try broker.createTopic("notifications.first", partitions: 12)
        try broker.createTopic("notifications.second", partitions: 12)
        let stream = VolunteerHoursStream(volunteers: 150, seed: 7, faultEvery: 40).messages(count: 3_000)
        try await publish(stream.map { ($0.key, $0.value) }, topic: "welfare.volunteer-hours", bootstrap: broker.bootstrapServers)

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let domain = VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "replay-test-secret-0123456789"))
        let first = try EngineRunner(domain: domain, bootstrap: broker.bootstrapServers, inputTopic: "welfare.volunteer-hours",
                                     notificationsTopic: "notifications.first", directory: directory)
        #expect(try await first.runUntilProcessed(stream.count))
        let second = try EngineRunner(domain: domain, bootstrap: broker.bootstrapServers, inputTopic: "welfare.volunteer-hours",
                                      notificationsTopic: "notifications.second", directory: directory, storeEngine: engine)
        #expect(try await second.runUntilProcessed(stream.count))

        let queries = EntityQueries.volunteerHours(ledgerOrder: "entry_id") + [
            "SELECT * FROM runtime_message_outcomes ORDER BY partition, \"offset\"",
            "SELECT event_id, value_hash, partition, \"offset\", outcome, reason_code, detail, seen_us FROM runtime_events ORDER BY event_id",  // names through the view above
        ]
        let differences = try await ReplayComparison.storeDifferences(first, second, queries: queries)
        #expect(differences.isEmpty, "\(differences.prefix(3))")
        // The stream exercises every outcome.
        let outcomes = Set(try await first.strings("SELECT DISTINCT outcome FROM runtime_message_outcomes"))
        #expect(outcomes == ["applied", "rejected", "duplicate", "dead_lettered"])
        let types = Set(try await first.strings("SELECT DISTINCT event_type FROM runtime_message_outcomes WHERE outcome = 'applied'"))
        #expect(types == VolunteerEvent.types)

        let notificationsA = try await readAll("notifications.first", partitions: 12, bootstrap: broker.bootstrapServers)
        let notificationsB = try await readAll("notifications.second", partitions: 12, bootstrap: broker.bootstrapServers)
        #expect(notificationsA.count > 1_000)
        #expect(notificationsA.count == notificationsB.count)
        // The same notifications, byte for byte; per recipient in the order of their triggering events on each input
        // partition (the contract's guarantee: events on different partitions have no order).
        let problems = try await ReplayComparison.notificationDifferences(first, notificationsA, notificationsB)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }
}
