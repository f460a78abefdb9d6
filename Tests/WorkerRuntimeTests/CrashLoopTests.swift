import Foundation
import GRDB
import Kafka
import TallyDomain
import Testing
import WelfareTestSupport
import WorkerRuntime

/// Worker processes that die: of a message that kills them (restarted as systemd would, until the message
/// is dead-lettered with WORKER_CRASHED), and of SIGKILLs from outside (which never blame a message).
@Suite("crash loops", .timeLimit(.minutes(6)))
struct CrashLoopTests {
    /// Starts the worker again each time it dies, as `Restart=on-failure` would, until `done` or `maxStarts`.
    func superviseUntil(broker: EmbeddedBroker, store: String, maxStarts: Int, environment: [String: String],
                        done: @escaping () async -> Bool) async throws -> (starts: Int, deaths: Int, last: ChildProcess?) {
        var starts = 0
        var deaths = 0
        while starts < maxStarts {
            let worker = try startTallyWorker(broker: broker, store: store, environment: environment)
            starts += 1
            while worker.isRunning {
                if await done() { return (starts, deaths, worker) }
                try await Task.sleep(for: .milliseconds(50))
            }
            deaths += 1
        }
        return (starts, deaths, nil)
    }

    @Test("a message that kills the worker is dead-lettered with WORKER_CRASHED after processing.max_crashes deaths handling it alone; the rest is applied",
          arguments: StoreEngine.allCases)
    func trappingMessage(engine: StoreEngine) async throws {
        let broker = try tallyBroker(partitions: 2)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // On PostgreSQL every start is a new instance in the consumer group, so what a dead one left is read by
        // its successor as by another machine's instance taking the partitions.
        let store = try TestStore(engine: engine, domain: TallyDomain(), directory: directory)
        var messages: [(key: String, value: [UInt8])] = (0..<400).map { ("T\($0 % 8)", tallyEvent(id: "e-\($0)", tally: "T\($0 % 8)", amount: 1)) }
        messages.insert(("T3", poisonTallyEvent(id: "killer", tally: "T3", hook: "trap")), at: 211)
        try await publish(messages, topic: "welfare.tally", bootstrap: broker.bootstrapServers)
        var environment = ["SWIFT_BACKTRACE": "enable=no", "WELFARE_LOG_LEVEL": "warning", "WELFARE_BATCH_MAX_WAIT_MS": "200"]
        if engine == .postgresql {
            // The group gives a dead member's partitions away after the session timeout.
            environment.merge(["WELFARE_KAFKA_SESSION_TIMEOUT_MS": "3000", "WELFARE_KAFKA_HEARTBEAT_INTERVAL_MS": "300"]) { $1 }
        }
        let run = try await superviseUntil(broker: broker, store: store.location, maxStarts: 30, environment: environment) {
            (try? store.finishedMessages()) == messages.count
        }
        #expect(run.last != nil, "every message got an outcome within 30 starts (\(run.deaths) deaths)")
        #expect(run.deaths >= 3)
        let rows = try store.rows("SELECT event_id, outcome, reason_code, detail FROM runtime_message_outcomes")
        #expect(rows.count == messages.count)
        let killer = try #require(rows.first { $0[0] == "killer" })
        #expect(killer[1] == "dead_lettered")
        #expect(killer[2] == "WORKER_CRASHED")
        let detail = killer[3].flatMap { $0 } ?? ""
        #expect(detail.contains("died 3 times while handling this message alone"))
        if engine == .sqlite {
            #expect(detail.contains("SIGILL") || detail.contains("SIGTRAP"), "the signal is named: \(detail)")
        }
        #expect(rows.filter { $0[1] == "applied" }.count == 400)
        #expect(try store.integer("SELECT SUM(total) FROM tally_totals") == 400)
        let letters = try await readAll("welfare.tally.dlq", partitions: 3, bootstrap: broker.bootstrapServers, atLeast: 1, timeout: .seconds(20))
        #expect(letters.contains { $0.header("dlq-reason")?.text == "WORKER_CRASHED" && $0.header("dlq-event-id")?.text == "killer" })
        if engine == .postgresql {
            #expect(try store.integer("SELECT count(*) FROM runtime_processing") == 0, "no marker rows outlive a finished run")
        }
        run.last?.signal(SIGTERM)
        #expect(await run.last?.waitForExit()?.status == 0)
    }

    @Test("50 SIGKILLs from outside at random moments of a 200,000-event run blame no message: zero WORKER_CRASHED, the store equals a clean run's")
    func randomKillsBlameNothing() async throws {
        // A broker of its own, and enough partitions: the embedded broker keeps about 5 MB per partition.
        let broker = try TallyBrokerProcess(partitions: 32)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let total = 200_000
        let messages = (0..<total).map { index in ("T\(index % 997)", tallyEvent(id: "k-\(index)", tally: "T\(index % 997)", amount: 1 + index % 5)) }
        try await publish(messages, topic: "welfare.tally", bootstrap: broker.bootstrapServers)
        let killed = directory.appendingPathComponent("killed.sqlite").path
        // The kills keep their pace on a thread of their own: a test runner's pool kept busy by other tests
        // would stretch the pauses between them until the run finished with hardly a kill.
        let bootstrap = broker.bootstrapServers
        let (kills, worker) = try await onDedicatedThread { () throws -> (Int, ChildProcess) in
            var generator = SystemRandomNumberGenerator()
            var kills = 0
            var worker = try startTallyWorker(bootstrapServers: bootstrap, store: killed, environment: ["WELFARE_LOG_LEVEL": "error"])
            while kills < 50 {
                Thread.sleep(forTimeInterval: Double(Int.random(in: 60...300, using: &generator)) / 1_000)
                let finished = (try? SQLiteStore.openReadOnly(path: killed).read(processedMessageCount)) ?? 0
                if finished >= total { break }
                worker.signal(SIGKILL)
                worker.process.waitUntilExit()
                kills += 1
                worker = try startTallyWorker(bootstrapServers: bootstrap, store: killed, environment: ["WELFARE_LOG_LEVEL": "error"])
            }
            return (kills, worker)
        }
        #expect(await waitForStoredProcessed(killed, total, timeout: .seconds(180)))
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit()?.status == 0)

        let clean = directory.appendingPathComponent("clean.sqlite").path
        let cleanWorker = try startTallyWorker(bootstrapServers: broker.bootstrapServers, store: clean, environment: ["WELFARE_LOG_LEVEL": "error"])
        #expect(await waitForStoredProcessed(clean, total, timeout: .seconds(180)))
        cleanWorker.signal(SIGTERM)
        #expect(await cleanWorker.waitForExit()?.status == 0)

        func dump(_ path: String) async throws -> [String] {
            try await SQLiteStore.openReadOnly(path: path).read { db in
                try String.fetchAll(db, sql: "SELECT tally_id || '=' || total FROM tally_totals ORDER BY tally_id")
                    + String.fetchAll(db, sql: "SELECT outcome || ':' || COALESCE(reason_code, '') || ':' || COUNT(*) FROM runtime_message_outcomes GROUP BY outcome, reason_code ORDER BY 1")
                    + [String(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tally_entries") ?? -1)]
            }
        }
        let afterKills = try await dump(killed)
        #expect(kills == 50, "the run was killed 50 times before it finished (\(kills) kills)")
        #expect(!afterKills.contains { $0.contains("WORKER_CRASHED") })
        #expect(afterKills == (try await dump(clean)))
    }
}

@Suite("outbox after a crash", .timeLimit(.minutes(4)))
struct OutboxAfterCrashTests {
    @Test("outbox messages the cluster already holds are not sent again at start; only the rest are")
    func deliveredMessagesAreNotResent() async throws {
        let broker = try tallyBroker(partitions: 4)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let total = 2_000
        let first = try startTallyWorker(broker: broker, store: store, environment: ["WELFARE_LOG_LEVEL": "warning"])
        defer { first.signal(SIGKILL) }
        try await publish((0..<total).map { ("T\($0 % 100)", tallyEvent(id: "n-\($0)", tally: "T\($0 % 100)")) },
                          topic: "welfare.tally", bootstrap: broker.bootstrapServers)
        #expect(await waitForStoredProcessed(store, total))
        let delivered = try await readAll("welfare.notifications", partitions: 12, bootstrap: broker.bootstrapServers, atLeast: total)
        #expect(delivered.count == total)
        first.signal(SIGTERM)
        #expect(await first.waitForExit()?.status == 0)

        // What a crash between delivery and the deletion of the outbox rows leaves: rows whose messages the
        // cluster already holds, and one message it does not.
        let already = delivered.prefix(700).map { ProducerRecord(topic: $0.topic, key: $0.key, value: $0.value, headers: $0.headers) }
        let fresh = ProducerRecord(topic: "welfare.notifications", key: Array("T-new".utf8), value: Array(#"{"id":"not-yet-sent"}"#.utf8))
        let rows = [Array(already.prefix(400)), Array(already.dropFirst(400)) + [fresh]]
        let writer = try SQLiteStore(path: store, for: TallyDomain())
        try await writer.queue.write { db in
            for records in rows {
                try db.execute(sql: "INSERT INTO runtime_outbox (messages) VALUES (?)", arguments: [Data(PackedMessages(records).bytes)])
            }
        }
        try writer.queue.close()

        let restarted = try startTallyWorker(broker: broker, store: store, environment: ["WELFARE_LOG_LEVEL": "info"])
        defer { restarted.signal(SIGKILL) }
        #expect(try await eventuallyTrue { restarted.standardError.contains("outbox messages left by an earlier run") })
        let line = restarted.standardError.split(separator: "\n").first { $0.contains("outbox messages left by an earlier run") } ?? ""
        #expect(line.contains("left=701") && line.contains("already_on_the_cluster=700") && line.contains("sent_again=1"), "\(line)")
        let after = try await readAll("welfare.notifications", partitions: 12, bootstrap: broker.bootstrapServers, atLeast: total + 1)
        #expect(after.count == total + 1, "only the message the cluster did not hold went out")
        #expect(try await eventuallyTrue {
            (try await SQLiteStore.openReadOnly(path: store).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_outbox") }) == 0
        })
        restarted.signal(SIGTERM)
        #expect(await restarted.waitForExit()?.status == 0)
    }
}
