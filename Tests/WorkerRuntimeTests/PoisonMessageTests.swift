import Foundation
import GRDB
import Kafka
import Testing
import WelfareTestSupport
import WorkerRuntime

/// A tally event whose handler fails on every attempt (the tally domain's poison hook).
func poisonTallyEvent(id: String, tally: String, hook: String = "throw") -> [UInt8] {
    tallyEvent(id: id, tally: tally, data: ["tally_id": "\"\(tally)\"", "entry_id": "\"E-\(id)\"", "amount": "10", "poison": "\"\(hook)\""])
}

@Suite("poison messages in process", .timeLimit(.minutes(3)))
struct PoisonMessageTests {
    /// Publishes everything first, then runs the worker: with one partition and 10,000-message batches the
    /// whole input is one batch.
    func run(_ messages: [(key: String?, value: [UInt8]?)]) async throws -> InProcessWorker {
        let worker = try InProcessWorker(partitions: 1) { settings in
            settings.batchMaxMessages = 10_000
            settings.batchMaxWait = .milliseconds(500)
        }
        try await worker.publish(messages)
        worker.start()
        #expect(try await worker.waitForOutcomes(messages.count))
        #expect(try await eventuallyTrue { try await worker.outboxCount() == 0 })
        return worker
    }

    func dump(_ worker: InProcessWorker) async throws -> [String] {
        try await worker.store.queue.read { db in
            try String.fetchAll(db, sql: "SELECT tally_id || '=' || total FROM tally_totals ORDER BY tally_id")
                + String.fetchAll(db, sql: "SELECT entry_id || ':' || tally_id || ':' || amount || ':' || event_id FROM tally_entries ORDER BY entry_id")
                + String.fetchAll(db, sql: "SELECT event_id || ':' || outcome FROM runtime_message_outcomes WHERE outcome != 'dead_lettered' ORDER BY event_id")
        }
    }

    @Test("3 poison messages scattered in a 10,000-message batch: exactly those are dead-lettered with PROCESSING_FAILED, the store equals a run without them")
    func poisonInOneBatch() async throws {
        let poisonAt: Set<Int> = [17, 4_321, 9_998]
        let messages = (0..<10_000).map { index -> (key: String?, value: [UInt8]?) in
            let tally = "T\(index % 50)"
            return (tally, poisonAt.contains(index) ? poisonTallyEvent(id: "p-\(index)", tally: tally) : tallyEvent(id: "e-\(index)", tally: tally, amount: 1 + index % 7))
        }
        let poisoned = try await run(messages)
        let outcomes = try await poisoned.outcomes()
        #expect(outcomes.count == 10_000)
        let deadLettered = outcomes.filter { $0.outcome == "dead_lettered" }
        #expect(deadLettered.map(\.offset) == poisonAt.sorted().map { Int64($0) })
        #expect(deadLettered.allSatisfy { $0.reasonCode == "PROCESSING_FAILED" })
        #expect(deadLettered.first?.detail?.contains("handling failed 5 times alone") == true)
        #expect(deadLettered.first?.detail?.contains("always fails") == true)
        #expect(outcomes.filter { $0.outcome == "applied" }.count == 9_997)

        let letters = try await poisoned.read(topic: "welfare.tally.dlq", partitions: 3, count: 3)
        #expect(letters.count == 3)
        #expect(Set(letters.compactMap { $0.header("dlq-event-id")?.text }) == ["p-17", "p-4321", "p-9998"])
        #expect(letters.allSatisfy { $0.header("dlq-reason")?.text == "PROCESSING_FAILED" && $0.header("dlq-worker")?.text == "tally" })
        let metrics = String(decoding: poisoned.engine.metrics.exposition(), as: UTF8.self)
        #expect(metrics.contains(#"welfare_dead_letters_total{worker="tally",reason="PROCESSING_FAILED"} 3"#))
        let poisonedStore = try await dump(poisoned)
        try await poisoned.stop()

        let clean = try await run(messages.enumerated().filter { !poisonAt.contains($0.offset) }.map(\.element))
        #expect(try await dump(clean) == poisonedStore)
        try await clean.stop()
    }

    @Test("a message that fails alone is retried processing.max_attempts times, then dead-lettered; the worker goes on with the next")
    func singlePoisonAttempts() async throws {
        let worker = try InProcessWorker(partitions: 1) { settings in settings.maxAttempts = 2 }
        worker.start()
        try await worker.publish([("T1", poisonTallyEvent(id: "p-1", tally: "T1"))])
        #expect(try await worker.waitForOutcomes(1))
        try await worker.publish([("T1", tallyEvent(id: "after-1", tally: "T1", amount: 4))])
        #expect(try await worker.waitForOutcomes(2))
        let outcomes = try await worker.outcomes()
        #expect(outcomes.map(\.outcome) == ["dead_lettered", "applied"])
        #expect(outcomes.first?.detail?.hasPrefix("handling failed 2 times alone") == true)
        try await worker.stop()
    }
}
