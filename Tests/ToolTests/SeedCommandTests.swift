import Foundation
import GRDB
import Kafka
import Testing
import WelfareTestSupport
import WorkerRuntime

/// `welfare-bench seed`: a city-scale store written through the domain's own processing, which a worker then
/// runs on as it would on a store it wrote itself.
@Suite("seeding a city-scale store", .timeLimit(.minutes(3)))
struct SeedCommandTests {
    @Test("a seeded volunteer store holds years of applied UUID-keyed events, ids past the window forgotten, and a worker with the benchmark key carries on with it")
    func seededStoreIsOneAWorkerAccepts() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("city.sqlite").path
        let seeded = try runProgram(TestPaths.executable("welfare-bench"), ["seed", "volunteer-hours", "--store", store, "--events", "30000",
                                                                           "--snapshots", "10000", "--cache-mb", "16"], includeStandardError: true)
        #expect(seeded.status == 0, "\(seeded.output)")
        #expect(FileManager.default.fileExists(atPath: store + ".10000"), "a copy at 10,000 events")

        let reader = try SQLiteStore.openReadOnly(path: store)
        let (volunteers, records, notApplied, kept, offsets, uuids) = try await reader.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM volunteers") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM volunteer_records") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_message_outcomes WHERE outcome != 'applied'") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_events") ?? 0,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_partition_offsets") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_events WHERE event_id GLOB '????????-????-4???-????-????????????'") ?? 0)
        }
        try reader.close()
        #expect(volunteers == 30_000 / 50 * 4, "4 volunteers for every 50 events")
        #expect(records > 10_000, "most events are service records and their reviews")
        #expect(notApplied * 100 <= kept, "the stream keeps to the rules but for a rare overlap or a second correction: \(notApplied) of \(kept)")
        // Five years of business time: ids older than 90 days go a pruning step (here 20,000, twice a batch) at a time.
        #expect(kept > 0 && kept <= 30_000 - 20_000, "event ids kept: \(kept)")
        #expect(uuids == kept, "event ids are UUIDs")
        #expect(offsets == 0, "offsets belong to the topic a worker will read, not to the seeding")

        // The benchmark's identity key was recorded, so a worker given it accepts the store and goes on.
        let broker = try EmbeddedBroker()
        try broker.createTopic("welfare.volunteer-hours", partitions: 2)
        try broker.createTopic("welfare.volunteer-hours.dlq", partitions: 3)
        try broker.createTopic("welfare.notifications", partitions: 12)
        let person = testIdentityNumber(sequence: 7)
        let registration = #"{"specversion":"1.0","id":"after-seed-1","source":"/test/seed","type":"volunteer.registered.v1","time":"2026-01-05T09:00:00+08:00","subject":"V-after","data":{"volunteer_id":"V-after","name":"测试","id_number":"\#(person)","phone":"13900000000","birth_date":"1990-01-01","district":"锦江区"}}"#
        try await publish([("V-after", Array(registration.utf8))], topic: "welfare.volunteer-hours", bootstrap: broker.bootstrapServers)
        let worker = try ChildProcess(TestPaths.executable("volunteer-hours-worker"), ["--bootstrap-servers", broker.bootstrapServers, "--store", store],
                                      environment: ["WELFARE_STORE_IDENTITY_KEY": "benchmark-identity-key-0123456789abcdef",
                                                    "WELFARE_DOMAIN_CERTIFICATE_SECRET": "benchmark-certificate-secret-0123"])
        #expect(await waitForStoredProcessed(store, 1, timeout: .seconds(60)))
        worker.signal(SIGTERM)
        _ = await worker.waitForExit(timeout: .seconds(30))
        let after = try SQLiteStore.openReadOnly(path: store)
        let outcome = try await after.read { try String.fetchOne($0, sql: "SELECT outcome FROM runtime_message_outcomes WHERE event_id = 'after-seed-1'") }
        #expect(outcome == "applied")
    }
}
