import Foundation
import GRDB
import Kafka
import Testing
import TopicCatalogue
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

@Suite("welfare-admin", .timeLimit(.minutes(4)))
struct AdminToolTests {
    let admin = TestPaths.executable("welfare-admin")
    let catalogue = TestPaths.repositoryRoot.appendingPathComponent("topics/catalogue.yaml").path

    @Test("topics plan lists missing, differing and unlisted topics; apply never alters or deletes, and reports a creation the cluster refuses")
    func topicsPlanAndApply() throws {
        let broker = try EmbeddedBroker()
        let specifications = try TopicCatalogue.load(from: catalogue).specifications(replicationFactor: 1)
        for spec in specifications where !spec.name.hasSuffix("claims.dlq") && !spec.name.hasSuffix("benefits.dlq") {
            try broker.createTopic(spec.name, partitions: spec.name == "welfare.notifications" ? 4 : spec.partitions)
        }
        try broker.createTopic("legacy.topic", partitions: 1)
        let arguments = ["--bootstrap-servers", broker.bootstrapServers, "--catalogue", catalogue, "--timeout", "3"]

        let plan = try runProgram(admin, ["topics", "plan"] + arguments)
        #expect(plan.status == 0)
        #expect(plan.output.contains("create   welfare.mutual-aid-claims.dlq (3 partitions"))
        #expect(plan.output.contains("create   welfare.new-employment-benefits.dlq (3 partitions"))
        #expect(plan.output.contains("retention.ms=7776000000"))
        #expect(plan.output.contains("differs  welfare.notifications: 4 partitions on the cluster, 12 in the catalogue"))
        #expect(plan.output.contains("ok       welfare.volunteer-hours (12 partitions"))
        #expect(plan.output.contains("unlisted legacy.topic"))
        #expect(plan.output.contains("2 to create, 1 differing, \(specifications.count - 3) up to date"))

        // The embedded broker does not implement CreateTopics: apply must say so and exit non-zero.
        let apply = try runProgram(admin, ["topics", "apply"] + arguments)
        #expect(apply.status == 1)
        #expect(apply.output.contains("did not create") || apply.output.contains("failed   welfare.mutual-aid-claims.dlq"))
        let after = try Admin(configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers])).describeTopics(timeout: .seconds(5))
        #expect(after["legacy.topic"]?.partitions == 1)
        #expect(after["welfare.notifications"]?.partitions == 4)
    }

    @Test("topics apply on a cluster that has every catalogue topic creates nothing and succeeds")
    func topicsApplyUpToDate() throws {
        let broker = try EmbeddedBroker()
        for spec in try TopicCatalogue.load(from: catalogue).specifications(replicationFactor: 1) {
            try broker.createTopic(spec.name, partitions: spec.partitions)
        }
        let apply = try runProgram(admin, ["topics", "apply", "--bootstrap-servers", broker.bootstrapServers, "--catalogue", catalogue])
        #expect(apply.status == 0)
        #expect(apply.output.contains("0 to create, 0 differing"))
        #expect(apply.output.contains("nothing to create"))
        // The embedded broker keeps one replica; the catalogue asks for three on a real cluster.
        #expect(apply.output.contains("ok       welfare.notifications (12 partitions, replication 1; the catalogue asks for 3)"))
    }

    @Test("publish → worker → dlq list → re-drive: a corrected event is applied, an unchanged one is dead-lettered again")
    func deadLetterListAndRedrive() async throws {
        let broker = try tallyBroker(partitions: 3)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let worker = try startTallyWorker(broker: broker, store: store, environment: ["WELFARE_LOG_LEVEL": "warning"])
        defer { worker.signal(SIGKILL) }

        let events = directory.appendingPathComponent("events.ndjson")
        try """
            {"key": "T-1", "value": \(tallyEventText(id: "good-1", tally: "T-1", amount: "10"))}
            {"key": "T-2", "value": \(tallyEventText(id: "bad-amount", tally: "T-2", amount: "\"ten\""))}
            {"key": "T-3", "value": \(tallyEventText(id: "bad-key", tally: "T-4", amount: "5"))}
            """.write(to: events, atomically: false, encoding: .utf8)
        let published = try runProgram(TestPaths.executable("welfare-publish"), [
            "--bootstrap-servers", broker.bootstrapServers, "--topic", "welfare.tally", "--file", events.path,
        ])
        #expect(published.status == 0)
        #expect(await waitForStoredProcessed(store, 3))

        let list = try runProgram(admin, ["dlq", "list", "--store", store])
        #expect(list.status == 0)
        #expect(list.output.contains("2 dead letters"))
        #expect(list.output.contains("INVALID_DATA  bad-amount  data.amount"))
        #expect(list.output.contains("KEY_MISMATCH  bad-key"))
        let json = try runProgram(admin, ["dlq", "list", "--store", store, "--reason", "INVALID_DATA", "--json"])
        let lines = json.output.split(separator: "\n").compactMap { try? JSONParser.parse(Array($0.utf8)).objectValue }
        #expect(lines.count == 1)
        #expect(lines.first?["event_id"] == .string("bad-amount"))
        #expect(lines.first?["topic"] == .string("welfare.tally"))

        // The dead-letter copies reach the DLQ topic once the worker's outbox has delivered them.
        let reader = try SQLiteStore.openReadOnly(path: store)
        #expect(try await eventuallyTrue { try await reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_outbox") } == 0 })
        let redrive = ["dlq", "redrive", "--bootstrap-servers", broker.bootstrapServers, "--dlq-topic", "welfare.tally.dlq"]
        let dryRun = try runProgram(admin, redrive + ["--all", "--dry-run"])
        #expect(dryRun.output.components(separatedBy: "would re-drive").count - 1 == 2)

        let corrected = directory.appendingPathComponent("corrected.ndjson")
        try "{\"key\": \"T-2\", \"value\": \(tallyEventText(id: "bad-amount", tally: "T-2", amount: "10"))}\n"
            .write(to: corrected, atomically: false, encoding: .utf8)
        let fixed = try runProgram(admin, redrive + ["--event-id", "bad-amount", "--corrected", corrected.path])
        #expect(fixed.status == 0)
        #expect(fixed.output.contains("bad-amount as corrected"))
        // Selected by its position as `dlq list` prints it.
        let keyMismatch = try #require(list.output.split(separator: "\n").first { $0.contains("KEY_MISMATCH  bad-key") }?.split(separator: " ").first)
        let unchanged = try runProgram(admin, redrive + ["--position", String(keyMismatch)])
        #expect(unchanged.output.contains("bad-key as it was"))
        #expect(await waitForStoredProcessed(store, 5))

        let queue = try SQLiteStore.openReadOnly(path: store)
        let outcomes = try await queue.read { db in
            try String.fetchAll(db, sql: "SELECT event_id || ':' || outcome FROM runtime_message_outcomes ORDER BY partition, offset")
        }
        #expect(outcomes.filter { $0 == "bad-amount:applied" }.count == 1)
        #expect(outcomes.filter { $0 == "bad-key:dead_lettered" }.count == 2)
        let total = try await queue.read { try Int.fetchOne($0, sql: "SELECT total FROM tally_totals WHERE tally_id = 'T-2'") }
        #expect(total == 10)
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit()?.status == 0)
    }

    @Test("welfare-publish --mode binary → dead letter with the original headers first → redrive resends them in order, without dlq-*")
    func binaryDeadLetterKeepsHeaders() async throws {
        let broker = try tallyBroker(partitions: 1)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let worker = try startTallyWorker(broker: broker, store: store, environment: ["WELFARE_LOG_LEVEL": "warning"])
        defer { worker.signal(SIGKILL) }
        let events = directory.appendingPathComponent("events.ndjson")
        try """
            {"key": "T-1", "value": \(tallyEventText(id: "good-1", tally: "T-1", amount: "10")), "headers": {"traceparent": "00-trace"}}
            {"key": "T-2", "value": \(tallyEventText(id: "bad-amount", tally: "T-2", amount: "\"ten\""))}
            """.write(to: events, atomically: false, encoding: .utf8)
        let published = try runProgram(TestPaths.executable("welfare-publish"), [
            "--bootstrap-servers", broker.bootstrapServers, "--topic", "welfare.tally", "--file", events.path, "--mode", "binary",
        ])
        #expect(published.status == 0)
        #expect(await waitForStoredProcessed(store, 2))
        let input = try await readAll("welfare.tally", partitions: 1, bootstrap: broker.bootstrapServers, atLeast: 2)
        let sent = try #require(input.first { $0.offset == 1 })
        #expect(sent.headers.first?.name == "ce_specversion" && sent.header("ce_id")?.text == "bad-amount" && sent.header("ce_data") == nil)
        #expect(input.first { $0.offset == 0 }?.headers.first == KafkaHeader("traceparent", "00-trace"), "the file's own headers come first")

        let reader = try SQLiteStore.openReadOnly(path: store)
        let outcomes = try await reader.read { try String.fetchAll($0, sql: "SELECT outcome || COALESCE(':' || reason_code, '') FROM runtime_message_outcomes ORDER BY offset") }
        #expect(outcomes == ["applied", "dead_lettered:INVALID_DATA"])
        #expect(try await eventuallyTrue { try await reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_outbox") } == 0 })
        let letter = try #require(try await readAll("welfare.tally.dlq", partitions: 3, bootstrap: broker.bootstrapServers, atLeast: 1).first)
        #expect(Array(letter.headers.prefix(sent.headers.count)) == sent.headers)
        #expect(letter.headers.dropFirst(sent.headers.count).allSatisfy { $0.name.hasPrefix("dlq-") })
        #expect(letter.header("dlq-event-id")?.text == "bad-amount")

        let redrive = try runProgram(admin, ["dlq", "redrive", "--bootstrap-servers", broker.bootstrapServers, "--dlq-topic", "welfare.tally.dlq", "--all"])
        #expect(redrive.status == 0)
        #expect(await waitForStoredProcessed(store, 3))
        let resent = try #require(try await readAll("welfare.tally", partitions: 1, bootstrap: broker.bootstrapServers, atLeast: 3).first { $0.offset == 2 })
        #expect(resent.headers.map(\.name) == sent.headers.map(\.name) + ["welfare-redriven-from"])
        #expect(Array(resent.headers.prefix(sent.headers.count)) == sent.headers)
        #expect(resent.value == sent.value)
        let after = try await reader.read { try String.fetchAll($0, sql: "SELECT outcome || COALESCE(':' || reason_code, '') FROM runtime_message_outcomes ORDER BY offset") }
        #expect(after.last == "dead_lettered:INVALID_DATA", "re-driven unchanged, it is dead-lettered again")
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit()?.status == 0)
    }

    @Test("backup while the worker writes gives a consistent store copy (mode 0600); after the worker is done the copy has the same counts")
    func backupWhileWriting() async throws {
        let broker = try tallyBroker(partitions: 3)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let worker = try startTallyWorker(broker: broker, store: store, environment: ["WELFARE_LOG_LEVEL": "warning"])
        defer { worker.signal(SIGKILL) }
        let total = 30_000
        let messages = (0..<total).map { index in
            (key: "T-\(index % 500)", value: Array(tallyEventText(id: "e-\(index)", tally: "T-\(index % 500)", amount: "1").utf8))
        }
        try await publish(messages, topic: "welfare.tally", bootstrap: broker.bootstrapServers)
        #expect(await waitForStoredProcessed(store, 3_000))

        let copy = directory.appendingPathComponent("backup/during.sqlite").path
        let during = try runProgram(admin, ["backup", "--store", store, "--to", copy])
        #expect(during.status == 0)
        #expect(during.output.contains("integrity ok"))
        let mode = try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        // One snapshot: every outcome's offset is below its partition's stored next offset, and the
        // tally entries are exactly the applied outcomes.
        let snapshot = try await SQLiteStore.openReadOnly(path: copy).read { db in
            (outcomes: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_message_outcomes") ?? -1,
             offsets: try Int.fetchOne(db, sql: "SELECT SUM(next_offset) FROM runtime_partition_offsets") ?? -2,
             applied: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_message_outcomes WHERE outcome = 'applied'") ?? -3,
             entries: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tally_entries") ?? -4,
             sum: try Int.fetchOne(db, sql: "SELECT SUM(total) FROM tally_totals") ?? -5)
        }
        #expect(snapshot.outcomes >= 3_000)
        #expect(snapshot.outcomes == snapshot.offsets)
        #expect(snapshot.applied == snapshot.entries)
        #expect(snapshot.sum == snapshot.entries)

        let again = try runProgram(admin, ["backup", "--store", store, "--to", copy], includeStandardError: true)
        #expect(again.status != 0)
        #expect(again.output.contains("already exists"))

        #expect(await waitForStoredProcessed(store, total))
        let finalCopy = directory.appendingPathComponent("backup/after.sqlite").path
        let after = try runProgram(admin, ["backup", "--store", store, "--to", finalCopy])
        #expect(after.status == 0)
        #expect(after.output.contains("  runtime_events \(total)"))
        #expect(after.output.contains("  tally_entries \(total)"))
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit()?.status == 0)
    }

    @Test("store upgrade applies the steps a stopped worker's store lacks and names them, keeps its records findable, and refuses a store a worker holds")
    func storeUpgrade() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("volunteers.sqlite").path
        // A store an older version wrote: the domain's steps up to record numbers, no runtime steps yet.
        var migrator = DatabaseMigrator()
        SQLiteStore.register(VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "upgrade-test-secret-0123456789")).schema(for: .sqlite), in: &migrator)
        let queue = try DatabaseQueue(path: path)
        try migrator.migrate(queue, upTo: "volunteer-hours-v6-record-numbers")
        try queue.write { try $0.execute(sql: """
            INSERT INTO volunteer_records (record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content, submitted_by,
                started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, approved_minutes, late, state)
            VALUES ('R-1', 'V-1', 'ORG-1', 'ACT-1', '社区清洁', '玉林社区', '清扫', 'U-1', '2026-05-10T09:00:00+08:00', '2026-05-10T12:30:00+08:00',
                1778374800000000, 1778387400000000, '2026-05-10', 210, NULL, 0, 'PENDING');
            """) }
        try queue.close()

        do {
            let held = try StoreLock(storePath: path)
            let refused = try runProgram(admin, ["store", "upgrade", path], includeStandardError: true)
            #expect(refused.status != 0 && refused.output.contains("in use"), "a store a worker holds is not upgraded: \(refused.output)")
            withExtendedLifetime(held) {}
        }

        let upgrade = try runProgram(admin, ["store", "upgrade", path])
        #expect(upgrade.status == 0)
        #expect(upgrade.output.contains("upgraded the volunteer-hours store"))
        #expect(upgrade.output.contains("runtime-v1,") && upgrade.output.contains("runtime-v9-leveled-event-ids")
                && upgrade.output.contains("volunteer-hours-v7-leveled-record-ids, volunteer-hours-v8-leveled-identities"), "\(upgrade.output)")
        let found = try SQLiteStore.openReadOnly(path: path).read { db in
            try Int64.fetchAll(db, sql: """
                SELECT record_no FROM volunteer_records
                WHERE record_no IN (\(LeveledIdIndex.rowNumbers("volunteer_record_keys", keyParameter: 1))) AND record_id = ?2
                """, arguments: [LeveledIdIndex.key(of: "R-1"), "R-1"])
        }
        #expect(found == [1])
        let again = try runProgram(admin, ["store", "upgrade", path])
        #expect(again.status == 0 && again.output.contains("already up to date"))
    }
}

/// A tally event as JSON text; `amount` is raw JSON so a test can make it the wrong type.
func tallyEventText(id: String, tally: String, amount: String) -> String {
    """
    {"specversion":"1.0","id":"\(id)","source":"/test/admin","type":"tally.added.v1","time":"2026-05-10T09:00:00+08:00",\
    "subject":"\(tally)","data":{"tally_id":"\(tally)","entry_id":"E-\(id)","amount":\(amount)}}
    """
}
