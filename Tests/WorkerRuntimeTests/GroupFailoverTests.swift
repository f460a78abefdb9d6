import Foundation
import Kafka
import PostgreSQL
import Testing
import WelfareTestSupport
import WorkerRuntime

/// Several tally worker processes in one consumer group on one PostgreSQL store: one killed, one paused past
/// the session timeout and resumed, and still every message has exactly one outcome and effect.
@Suite("instances in a group on one PostgreSQL store", .timeLimit(.minutes(4)))
struct GroupFailoverTests {
    static let environment = [
        "WELFARE_BATCH_MAX_MESSAGES": "500", "WELFARE_LOG_LEVEL": "info",
        "WELFARE_KAFKA_SESSION_TIMEOUT_MS": "3000", "WELFARE_KAFKA_HEARTBEAT_INTERVAL_MS": "300",
    ]

    /// An entry that takes 4 s to apply (the tally domain's test hook).
    static let slowEvent = tallyEvent(id: "slow-1", tally: "SLOW", data: ["tally_id": "\"SLOW\"", "entry_id": "\"slow\"", "amount": "1", "poison": "\"slow\""])

    static func finished(_ connection: PostgresConnection) throws -> Int {
        Int(try connection.query("SELECT coalesce(sum(next_offset), 0) FROM runtime_partition_offsets").integer(0, 0) ?? 0)
    }

    @Test("SIGKILL one of three instances and SIGSTOP another past the session timeout: one outcome and effect per message, every notification")
    func failover() async throws {
        let broker = try tallyBroker(partitions: 6)
        let url = try TestPostgres.newDatabase()
        let stream = CrashTestStream(count: 30_000)
        let producer = try Producer(configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "linger.ms": "5"]),
                                    logger: InProcessWorker.quiet)
        defer { producer.close() }
        let publish = { (range: Range<Int>) async throws in
            for message in stream.messages[range] {
                try producer.send(ProducerRecord(topic: "welfare.tally", key: Array(message.key.utf8), value: message.value))
            }
            let flushed = try await onDedicatedThread { producer.flush(timeout: .seconds(60)) }
            guard flushed else { throw TestFailure("publishing did not finish") }
        }

        let workers = try (0..<3).map { _ in try startTallyWorker(broker: broker, store: url, environment: Self.environment) }
        defer { for worker in workers { worker.signal(SIGCONT); worker.signal(SIGKILL) } }
        let check = try PostgresConnection(url: url)
        // All three own partitions before the stream starts.
        #expect(try await eventuallyTrue(timeout: .seconds(60)) {
            // Until the first instance has made the tables, there is nothing to count.
            (try? check.query("SELECT count(DISTINCT owner) FROM runtime_partition_offsets").integer(0, 0)) == 3
        })

        try await publish(0..<10_000)
        #expect(try await eventuallyTrue(timeout: .seconds(60)) { try Self.finished(check) >= 2_000 })
        workers[0].signal(SIGKILL)
        try await publish(10_000..<20_000)
        // Once the group has moved the killed instance's partitions, pause the second instance in the middle of
        // a transaction (an event that takes 4 s to apply) and past the session timeout: the group gives its
        // partitions to the last instance, which raises their epochs, so the paused batch must not commit.
        let owners = { (worker: ChildProcess) in
            try check.query("SELECT partition FROM runtime_partition_offsets WHERE owner LIKE '%:\(worker.pid):%' ORDER BY partition")
        }
        #expect(try await eventuallyTrue(timeout: .seconds(60)) { try owners(workers[0]).rowCount == 0 && owners(workers[1]).rowCount > 0 })
        let paused = Int32(try owners(workers[1]).integer(0, 0) ?? 0)
        try producer.send(ProducerRecord(topic: "welfare.tally", partition: paused, key: Array("SLOW".utf8), value: Self.slowEvent))
        _ = try await onDedicatedThread { producer.flush(timeout: .seconds(10)) }
        // Paused once its session holds a transaction that has written (the slow entry's batch), and resumed once
        // another instance has taken the partition (raised its epoch).
        // Watched from a thread of its own, so that the pause comes within the 4 s whatever the test runner's
        // pool is busy with.
        let second = workers[1]
        let inTransaction = try await onDedicatedThread { () throws -> Bool in
            let watch = try PostgresConnection(url: url)
            let deadline = Date().addingTimeInterval(30)
            var open = false
            while !open && Date() < deadline {
                open = (try watch.query("""
                    SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'welfare %:\(second.pid):%' AND backend_xid IS NOT NULL
                    """).integer(0, 0) ?? 0) > 0
                if !open { Thread.sleep(forTimeInterval: 0.02) }
            }
            second.signal(SIGSTOP)
            return open
        }
        #expect(inTransaction, "the second instance was paused inside a transaction")
        #expect(try await eventuallyTrue(timeout: .seconds(60)) {
            (try? check.query("SELECT owner FROM runtime_partition_offsets WHERE partition = $1", [.int(Int(paused))]).text(0, 0))
                .map { !$0.contains(":\(workers[1].pid):") } ?? false
        }, "another instance took the paused instance's partition")
        workers[1].signal(SIGCONT)
        try await publish(20_000..<30_000)
        let total = stream.messages.count + 1

        let done = try await eventuallyTrue(timeout: .seconds(120)) { try Self.finished(check) == total }
        let finished = try Self.finished(check)
        let sessions = try check.query("""
            SELECT pid, state, coalesce(wait_event_type, '') || ':' || coalesce(wait_event, ''), left(query, 100) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
            """)
        let activity = (0..<sessions.rowCount).map { row in (0..<4).map { sessions.text(row, $0) ?? "" }.joined(separator: " | ") }
        let offsets = try check.query("SELECT partition, next_offset, owner_epoch, owner FROM runtime_partition_offsets ORDER BY partition")
        let ownership = (0..<offsets.rowCount).map { row in (0..<4).map { offsets.text(row, $0) ?? "" }.joined(separator: " ") }
        let watcher = try Consumer(configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "group.id": "watermarks"]), logger: InProcessWorker.quiet)
        let highs = try (0..<6).map { try watcher.queryWatermarks(TopicPartition("welfare.tally", Int32($0)), timeout: .seconds(5)).high }
        watcher.close(timeout: .seconds(2))
        #expect(done, "finished \(finished) of \(total); high watermarks \(highs); sessions: \(activity); offsets: \(ownership); the instances said: \(workers.map { String($0.standardError.suffix(3_000)) })")
        #expect(try await eventuallyTrue(timeout: .seconds(30)) { workers[1].standardError.contains("was taken by another instance") },
                "the paused instance's late commit was fenced")
        #expect(try await eventuallyTrue(timeout: .seconds(30)) { try check.query("SELECT count(*) FROM runtime_outbox").integer(0, 0) == 0 },
                "every outbox row was delivered by a partition's owner")

        let outcomes = try check.query("SELECT outcome, count(*) FROM runtime_message_outcomes GROUP BY outcome")
        let byOutcome = Dictionary(uniqueKeysWithValues: (0..<outcomes.rowCount).map { (outcomes.text($0, 0) ?? "", Int(outcomes.integer($0, 1) ?? 0)) })
        #expect(try check.query("SELECT count(*) FROM runtime_message_outcomes").integer(0, 0) == Int64(total), "exactly one outcome per message")
        #expect(try check.query("""
            SELECT count(*) FROM (SELECT partition FROM runtime_message_outcomes GROUP BY partition HAVING count(*) <> max("offset") + 1) gaps
            """).integer(0, 0) == 0, "no offset skipped or doubled")
        #expect(byOutcome["applied"] == stream.applied.count + 1)
        #expect(byOutcome["rejected"] == stream.rejected.count)
        #expect(byOutcome["duplicate"] == stream.duplicates)
        #expect(byOutcome["dead_lettered"] == stream.malformed)
        #expect(try check.query("SELECT count(DISTINCT event_id) FROM tally_entries").integer(0, 0) == Int64(stream.applied.count + 1))
        #expect(try check.query("SELECT count(*) FROM tally_entries").integer(0, 0) == Int64(stream.applied.count + 1))
        #expect(try check.query("SELECT sum(total) FROM tally_totals").integer(0, 0) == Int64(stream.appliedSum + 1))
        #expect(try check.query("SELECT total FROM tally_totals WHERE tally_id = 'SLOW'").integer(0, 0) == 1, "the paused event applied once, by the new owner")
        let epochs = try check.query("SELECT max(owner_epoch) FROM runtime_partition_offsets").integer(0, 0) ?? 0
        #expect(epochs >= 2, "partitions changed owners (highest epoch \(epochs))")

        let expectedIDs = stream.expectedNotificationIDs.union([
            NotificationRenderer.notificationID(eventID: "slow-1", template: "tally.added", recipientKind: .member, recipientID: "SLOW"),
        ])
        let notifications = try await readTopic(broker.bootstrapServers, topic: "welfare.notifications", partitions: 12,
                                                count: expectedIDs.count, timeout: .seconds(60))
        var contentByID: [String: Set<[UInt8]>] = [:]
        for message in notifications {
            guard let id = jsonObject(message.value)?["id"]?.stringValue else { continue }
            contentByID[id, default: []].insert(message.value ?? [])
        }
        #expect(expectedIDs.isSubset(of: Set(contentByID.keys)), "missing \(expectedIDs.subtracting(contentByID.keys).count) notifications")
        #expect(Set(contentByID.keys).isSubset(of: expectedIDs), "no unexpected notification")
        #expect(contentByID.values.allSatisfy { $0.count == 1 }, "a notification sent twice carries the same bytes")
        let survivor = workers[2]
        #expect(survivor.standardError.contains("partitions assigned"))
    }
}
