import Foundation
import GRDB
import Kafka
import SampleStreams
import WorkerRuntime

/// One domain's fuzzing run: mutated messages in transactions through the real message processor into a
/// store in a temporary folder. A batch whose transaction throws is handled again one message at a time,
/// as the engine narrows it, and a message that throws alone is dead-lettered as `PROCESSING_FAILED`.
struct FuzzRun<Domain: DomainHandler> {
    let domain: Domain
    let topic: String
    let seeds: [SampleMessage]

    func run(mutations: Int, seed: UInt64, batch: Int) throws -> FuzzReport {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("welfare-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("fuzz.sqlite").path, for: domain)
        let processor = MessageProcessor(handler: domain, deadLetterTopic: topic + ".dlq", notificationsTopic: "welfare.notifications")
        var mutator = Mutator(seed: seed)
        var report = FuzzReport()
        let start = ContinuousClock.now
        var offset: Int64 = 0
        var batches = 0
        while offset < Int64(mutations) {
            var messages: [ConsumedMessage] = []
            for _ in 0..<min(batch, mutations - Int(offset)) {
                let base = seeds[Int(offset) % seeds.count]
                let mutation = mutator.mutate(base.value)
                report.kinds[mutation.kind, default: 0] += 1
                messages.append(ConsumedMessage(topic: topic, partition: 0, offset: offset, key: Array(base.key.utf8), value: mutation.value,
                                                headers: mutation.headers.map { KafkaHeader(name: $0.0, value: $0.1) }))
                offset += 1
            }
            do {
                _ = try store.write { try processor.process(messages, in: $0) }
            } catch {
                for message in messages {
                    do {
                        _ = try store.write { try processor.process([message], in: $0) }
                    } catch {
                        report.thrown[String(describing: error).prefix(120).description, default: 0] += 1
                        _ = try store.write { try processor.process([message], deadLetteringAs: (.processingFailed, "\(error)"), in: $0) }
                    }
                }
            }
            // Nothing delivers here: drop the outbox as a worker's producer would empty it (dead-letter copies
            // of megabyte values would otherwise fill the disk), and checkpoint now and then (a worker's
            // checkpointer thread does that).
            try store.queue.write { db in try db.execute(sql: "DELETE FROM runtime_outbox") }
            batches += 1
            if batches % 50 == 0 {
                try store.queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            }
        }
        report.seconds = Double((ContinuousClock.now - start).components.seconds) + Double((ContinuousClock.now - start).components.attoseconds) / 1e18
        try store.queue.read { db in
            report.messages = mutations
            report.outcomeRows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_message_outcomes") ?? 0
            report.distinctPositions = try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT offset) FROM runtime_message_outcomes") ?? 0
            for row in try Row.fetchAll(db, sql: "SELECT outcome, COALESCE(reason_code, '') AS reason, COUNT(*) AS n FROM runtime_message_outcomes GROUP BY 1, 2") {
                let outcome: String = row["outcome"]
                let reason: String = row["reason"]
                report.outcomes[reason.isEmpty ? outcome : "\(outcome) \(reason)", default: 0] += row["n"] as Int
            }
        }
        return report
    }
}

/// What a fuzzing run came to.
struct FuzzReport {
    var messages = 0
    var outcomeRows = 0
    var distinctPositions = 0
    var seconds = 0.0
    var outcomes: [String: Int] = [:]
    var kinds: [String: Int] = [:]
    /// Errors a message's handling threw alone (each such message was dead-lettered as PROCESSING_FAILED).
    var thrown: [String: Int] = [:]

    var oneOutcomeEach: Bool { outcomeRows == messages && distinctPositions == messages }

    func print(domain: String) {
        Swift.print("\(domain): \(messages) mutated messages in \(String(format: "%.1f", seconds)) s; " +
                    "\(outcomeRows) outcomes for \(distinctPositions) positions: \(oneOutcomeEach ? "exactly one outcome per message" : "NOT one outcome per message")")
        for (key, count) in outcomes.sorted(by: { $0.value > $1.value }) { Swift.print("  \(key): \(count)") }
        Swift.print("  mutations: " + kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        for (error, count) in thrown.sorted(by: { $0.value > $1.value }) { Swift.print("  thrown alone \(count)×: \(error)") }
    }
}
