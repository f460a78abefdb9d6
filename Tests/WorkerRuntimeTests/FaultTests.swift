import Foundation
import GRDB
import Kafka
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("transient faults", .timeLimit(.minutes(3)))
struct FaultTests {
    @Test("a store that refuses writes pauses the worker, which stays alive, reports unready, then catches up with nothing lost")
    func storeRefusingWrites() async throws {
        let worker = try InProcessWorker(partitions: 2)
        worker.start()
        try await worker.publish((0..<20).map { ("T\($0 % 4)", tallyEvent(id: "before-\($0)", tally: "T\($0 % 4)")) })
        #expect(try await worker.waitForOutcomes(20))

        // Another connection takes the write lock and keeps it: every write of the worker fails with SQLITE_BUSY.
        let lock = StoreWriteLockHolder()
        try await lock.hold(worker.storePath)
        try await worker.publish((0..<30).map { ("T\($0 % 4)", tallyEvent(id: "during-\($0)", tally: "T\($0 % 4)")) })
        #expect(try await eventuallyTrue { worker.engine.health.report().stuckForSeconds != nil }, "the worker notices the fault")
        let report = worker.engine.health.report()
        #expect(!report.ready && !report.storeWritable)
        #expect(report.live, "still polling while it waits")
        try await lock.release()

        #expect(try await worker.waitForOutcomes(50))
        #expect(try await eventuallyTrue { worker.engine.health.report().ready })
        let outcomes = try await worker.outcomes()
        #expect(outcomes.count == 50)
        #expect(Set(outcomes.compactMap(\.eventID)).count == 50)
        #expect(outcomes.allSatisfy { $0.outcome == "applied" })
        let total = try await worker.store.queue.read { try Int.fetchOne($0, sql: "SELECT SUM(total) FROM tally_totals") }
        #expect(total == 500)
        let metrics = String(decoding: worker.engine.metrics.exposition(), as: UTF8.self)
        #expect(metrics.contains("welfare_retries_total{worker=\"tally\",kind=\"store\"}"))
        try await worker.stop()
    }

    @Test("with the broker down for a while, the worker resumes and every event and notification gets through")
    func brokerDown() async throws {
        let worker = try InProcessWorker(partitions: 2)
        worker.start()
        try await worker.publish((0..<50).map { ("T\($0 % 4)", tallyEvent(id: "a-\($0)", tally: "T\($0 % 4)")) })
        #expect(try await worker.waitForOutcomes(50))

        try worker.broker.setBrokerDown(1)
        for index in 0..<50 {
            try worker.producer.send(ProducerRecord(topic: "welfare.tally", key: Array("T\(index % 4)".utf8), value: tallyEvent(id: "b-\(index)", tally: "T\(index % 4)")))
        }
        try await Task.sleep(for: .seconds(2))
        #expect(try await worker.outcomeCount() == 50, "nothing can arrive while the broker is down")
        try worker.broker.setBrokerUp(1)
        try await worker.publish([])

        #expect(try await worker.waitForOutcomes(100))
        let notifications = try await worker.read(topic: "welfare.notifications", partitions: 12, count: 100)
        let ids = Set(notifications.compactMap { jsonObject($0.value)?["id"]?.stringValue })
        #expect(ids.count == 100)
        #expect(try await eventuallyTrue { try await worker.outboxCount() == 0 })
        try await worker.stop()
    }
}
