import Foundation
import Kafka
import PostgreSQL
import Testing
import WelfareDomains
import WelfareTestSupport
import WorkerRuntime

/// `welfare-admin store copy`: a stopped worker's SQLite store moved into an empty PostgreSQL database.
@Suite("moving a store from SQLite to PostgreSQL", .timeLimit(.minutes(3)))
struct StoreCopyTests {
    static let comparisons = (ClusterFailoverTests.comparisons["volunteer-hours"] ?? []) + [
        "SELECT partition, \"offset\", coalesce(event_id, ''), outcome, coalesce(reason_code, ''), coalesce(detail, '') FROM runtime_message_outcomes ORDER BY partition, \"offset\"",
        "SELECT event_id, value_hash, seen_us FROM runtime_events ORDER BY event_id",
        "SELECT topic, partition, next_offset FROM runtime_partition_offsets ORDER BY partition",
    ]

    /// A volunteer-hours store a worker engine wrote from 3,000 events, stopped.
    static func workerStore<Domain: WorkerDomain>(_ domain: Domain, directory: URL) async throws -> String {
        let broker = try EmbeddedBroker()
        try broker.createTopic("welfare.volunteer-hours", partitions: 4)
        try broker.createTopic("welfare.volunteer-hours.dlq", partitions: 3)
        try broker.createTopic("welfare.notifications", partitions: 12)
        let messages = WelfareDomains.volunteerHours.sampleMessages(count: 3_000, seed: 3, faultEvery: 40)
        try await publish(messages.map { ($0.key, $0.value) }, topic: "welfare.volunteer-hours", bootstrap: broker.bootstrapServers)
        let runner = try EngineRunner(domain: domain, bootstrap: broker.bootstrapServers, inputTopic: "welfare.volunteer-hours",
                                      notificationsTopic: "welfare.notifications", directory: directory)
        guard try await runner.runUntilProcessed(messages.count) else { throw TestFailure("the worker did not finish") }
        return runner.store.location
    }

    @Test("a copy holds every row and the saved offsets, is refused into a database that is not empty, and while the worker runs")
    func copyIntoPostgres() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let domain = try WelfareDomains.volunteerHours.makeHandler()
        let path = try await Self.workerStore(domain, directory: directory)
        let url = try TestPostgres.newDatabase()
        let admin = TestPaths.executable("welfare-admin")

        // Refused while a worker holds the SQLite store.
        do {
            let lock = try StoreLock(storePath: path)
            let whileRunning = try runProgram(admin, ["store", "copy", path, url], includeStandardError: true)
            #expect(whileRunning.status != 0 && whileRunning.output.contains("in use"), "\(whileRunning.output)")
            withExtendedLifetime(lock) {}
        }

        let copy = try runProgram(admin, ["store", "copy", path, url], includeStandardError: true)
        #expect(copy.status == 0, "\(copy.output)")
        #expect(copy.output.contains("copied the volunteer-hours store") && copy.output.contains("runtime_events"))

        let source = try TestStore(existing: path, domain: domain)
        let target = try TestStore(existing: url, domain: domain)
        for query in Self.comparisons {
            let expected = try source.dump(query)
            #expect(!expected.isEmpty, "\(query)")
            #expect(try target.dump(query) == expected, "\(query)")
        }

        // Into a database that already holds a store: refused, nothing changed.
        let again = try runProgram(admin, ["store", "copy", path, url], includeStandardError: true)
        #expect(again.status != 0 && again.output.contains("not empty"), "\(again.output)")
        #expect(try target.dump(Self.comparisons[0]) == (try source.dump(Self.comparisons[0])))
    }
}
