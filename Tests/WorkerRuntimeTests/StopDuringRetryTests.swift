import Foundation
import GRDB
import Kafka
import TallyDomain
import Testing
import WelfareTestSupport
import WorkerRuntime

/// Every retry loop listens for a stop: SIGTERM while the worker waits out a fault exits 0 within 15 s,
/// as a supervisor expects before it kills.
@Suite("stopping during retries", .timeLimit(.minutes(4)))
struct StopDuringRetryTests {
    /// Sends SIGTERM and returns the exit status and how long the exit took.
    func terminate(_ worker: ChildProcess) async -> (status: Int32?, seconds: Double) {
        let start = ContinuousClock.now
        worker.signal(SIGTERM)
        let exit = await worker.waitForExit(timeout: .seconds(30))
        let elapsed = ContinuousClock.now - start
        return (exit?.status, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    @Test("SIGTERM during a broker outage exits 0 within 15 s")
    func brokerOutage() async throws {
        let broker = try tallyBroker(partitions: 2)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let worker = try startTallyWorker(broker: broker, store: store)
        defer { worker.signal(SIGKILL) }
        try await publish((0..<20).map { ("T\($0 % 3)", tallyEvent(id: "o-\($0)", tally: "T\($0 % 3)")) }, topic: "welfare.tally", bootstrap: broker.bootstrapServers)
        #expect(await waitForStoredProcessed(store, 20))
        try broker.setBrokerDown(1)
        #expect(try await eventuallyTrue { worker.standardError.contains("_ALL_BROKERS_DOWN") }, "the worker noticed the outage")
        let stop = await terminate(worker)
        try broker.setBrokerUp(1)
        #expect(stop.status == 0)
        #expect(stop.seconds < 15, "took \(stop.seconds) s")
    }

    @Test("SIGTERM while the store refuses writes exits 0 within 15 s, with nothing committed twice")
    func storeOutage() async throws {
        let broker = try tallyBroker(partitions: 2)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let worker = try startTallyWorker(broker: broker, store: store, environment: ["WELFARE_STORE_BUSY_TIMEOUT_MS": "100"])
        defer { worker.signal(SIGKILL) }
        try await publish([("T1", tallyEvent(id: "s-0", tally: "T1"))], topic: "welfare.tally", bootstrap: broker.bootstrapServers)
        #expect(await waitForStoredProcessed(store, 1))
        // Another connection holds the write lock: every write of the worker fails with SQLITE_BUSY.
        let lock = StoreWriteLockHolder()
        try await lock.hold(store)
        try await publish((1..<20).map { ("T1", tallyEvent(id: "s-\($0)", tally: "T1")) }, topic: "welfare.tally", bootstrap: broker.bootstrapServers)
        #expect(try await eventuallyTrue { worker.standardError.contains("store write failed") }, "the worker is retrying the store fault")
        let stop = await terminate(worker)
        try await lock.release()
        #expect(stop.status == 0)
        #expect(stop.seconds < 15, "took \(stop.seconds) s")
        #expect(worker.standardError.contains("store write failed"), "the worker was retrying a store fault when it stopped")
    }

    @Test("SIGTERM while the input topic cannot be assigned yet (no broker answers) exits 0 within 15 s")
    func assignmentRetry() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let worker = try ChildProcess(TestPaths.executable("welfare-tally-worker"), ["--bootstrap-servers", "127.0.0.1:9", "--store", store],
                                      environment: ["WELFARE_LOG_LEVEL": "info"])
        defer { worker.signal(SIGKILL) }
        #expect(try await eventuallyTrue(timeout: .seconds(20)) { worker.standardError.contains("cannot assign the input topic yet") })
        let stop = await terminate(worker)
        #expect(stop.status == 0)
        #expect(stop.seconds < 15, "took \(stop.seconds) s")
    }

    @Test("SIGTERM while rows left in the outbox wait for an unreachable broker at start exits 0 within 15 s and keeps the rows")
    func outboxResendAtStart() async throws {
        let broker = try tallyBroker(partitions: 2)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        // A run whose notifications cannot be delivered: the notifications topic's broker is down.
        let first = try startTallyWorker(broker: broker, store: store, environment: ["WELFARE_SHUTDOWN_DELIVERY_TIMEOUT_MS": "0"])
        defer { first.signal(SIGKILL) }
        try await publish((0..<10).map { ("T\($0 % 3)", tallyEvent(id: "r-\($0)", tally: "T\($0 % 3)")) }, topic: "welfare.tally", bootstrap: broker.bootstrapServers)
        #expect(await waitForStoredProcessed(store, 10))
        first.signal(SIGKILL)
        _ = await first.waitForExit()
        // And a row whose messages the first run never sent, whatever it managed before its death.
        let writer = try SQLiteStore(path: store, for: TallyDomain())
        let unsent = ProducerRecord(topic: "welfare.notifications", key: Array("T-x".utf8), value: Array(#"{"id":"unsent"}"#.utf8))
        try await writer.queue.write { db in
            try db.execute(sql: "INSERT INTO runtime_outbox (messages) VALUES (?)", arguments: [Data(PackedMessages([unsent]).bytes)])
        }
        try writer.queue.close()
        let reader = try SQLiteStore.openReadOnly(path: store)
        let leftBefore = try await reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_outbox") ?? 0 }

        let second = try ChildProcess(TestPaths.executable("welfare-tally-worker"), ["--bootstrap-servers", "127.0.0.1:9", "--store", store],
                                      environment: ["WELFARE_LOG_LEVEL": "info"])
        defer { second.signal(SIGKILL) }
        #expect(try await eventuallyTrue { second.standardError.contains("reading back the output topics") }, "the stop comes during the outbox resend")
        let stop = await terminate(second)
        #expect(stop.status == 0)
        #expect(stop.seconds < 15, "took \(stop.seconds) s")
        let leftAfter = try await reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_outbox") ?? 0 }
        #expect(leftAfter == leftBefore, "undelivered rows stay for the next start")
    }
}

@Suite("outbox rows that cannot be read", .timeLimit(.minutes(2)))
struct CorruptOutboxTests {
    @Test("a corrupt outbox row never wedges start-up: it is set aside, counted and reported, and the rest goes on")
    func corruptRowSetAside() async throws {
        let worker = try InProcessWorker(partitions: 1)
        try await worker.store.queue.write { db in
            try db.execute(sql: "INSERT INTO runtime_outbox (seq, messages) VALUES (7, x'DEADBEEF')")
        }
        worker.start()
        try await worker.publish([("T1", tallyEvent(id: "c-1", tally: "T1"))])
        #expect(try await worker.waitForOutcomes(1))
        #expect(try await eventuallyTrue { try await worker.outboxCount() == 0 })
        let setAside = try await worker.store.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_outbox_set_aside WHERE seq = 7") }
        #expect(setAside == 1)
        let metrics = String(decoding: worker.engine.metrics.exposition(), as: UTF8.self)
        #expect(metrics.contains(#"welfare_outbox_set_aside_total{worker="tally"} 1"#))
        let notifications = try await worker.read(topic: "welfare.notifications", partitions: 12, count: 1)
        #expect(notifications.count == 1)
        try await worker.stop()
    }
}
