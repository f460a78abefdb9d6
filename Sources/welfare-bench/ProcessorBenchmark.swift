import ArgumentParser
import Foundation
import GRDB
import Kafka
import Logging
import Synchronization
import TallyDomain
import WorkerRuntime

/// The message processor alone (checks, SQLite, rendering) on synthetic messages: no Kafka involved.
struct ProcessorBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "processor", abstract: "Time MessageProcessor on synthetic tally events in 2,000-message transactions (no Kafka).")

    @Option(help: "Events to process.") var events = 200_000
    @Flag(help: "Only parse and check envelopes (no SQLite).") var prepareOnly = false
    @Flag(help: "Check every batch before the clock starts, as the engine does while the previous batch commits: times the writer thread's own work.") var checkedAhead = false

    func run() throws {
        SQLiteStore.tuneSQLiteForThisProcess()  // as a worker does
        try BenchmarkSupport.withScratchDirectory { directory in
            let domain = TallyDomain()
            let store = try SQLiteStore(path: directory.appendingPathComponent("p.sqlite").path, for: domain)
            let processor = MessageProcessor(handler: domain, deadLetterTopic: "welfare.tally.dlq", notificationsTopic: "welfare.notifications")
            // The order a worker reads a 64-partition backlog in: each tally's events on one partition, and
            // runs of ~1,000 messages per partition (a fetch), so keys arrive as scattered as in the real worker.
            var offsets = [Int64](repeating: 0, count: events)
            var nextOffset = [Int64](repeating: 0, count: 64)
            for index in 0..<events {
                offsets[index] = nextOffset[(index % 50_000) % 64]
                nextOffset[(index % 50_000) % 64] += 1
            }
            let messages = StoreFloorBenchmark.readOrder(events: events).map { index in
                let tally = "tally-\(index % 50_000)"
                let value = #"{"specversion":"1.0","id":"evt-\#(index)","source":"/bench/tally","type":"tally.added.v1","time":"2026-05-10T09:00:00+08:00","subject":"\#(tally)","datacontenttype":"application/json","data":{"tally_id":"\#(tally)","entry_id":"entry-\#(index)","amount":\#(index % 100 + 1),"note":"benchmark padding to make the event about 350 bytes long, like a real one"}}"#
                return ConsumedMessage(topic: "welfare.tally", partition: Int32((index % 50_000) % 64), offset: offsets[index],
                                       key: Array(tally.utf8), value: Array(value.utf8))
            }
            let batches = stride(from: 0, to: messages.count, by: 2_000).map { Array(messages[$0..<min($0 + 2_000, messages.count)]) }
            let ahead = checkedAhead ? batches.map { processor.prepareAhead($0) } : []
            let start = ContinuousClock.now
            var outbox = 0
            for (index, batch) in batches.enumerated() {
                if prepareOnly {
                    outbox += Self.validEvents(in: batch, processor)
                    continue
                }
                let result = try store.write { try processor.process(batch, ahead: checkedAhead ? ahead[index] : nil, in: $0) }
                outbox += result.outbox.reduce(0) { $0 + $1.records.count }
            }
            let seconds = (ContinuousClock.now - start).seconds
            print(String(format: "%@: %.0f events/s (%.2f µs each), %d outbox messages",
                         prepareOnly ? "prepare only" : checkedAhead ? "processor, checked ahead" : "processor", Double(events) / seconds, seconds / Double(events) * 1e6, outbox))
        }
    }

    /// The store-free checks of a batch split over up to four threads; how many are valid events.
    static func validEvents(in batch: [ConsumedMessage], _ processor: MessageProcessor<TallyDomain>) -> Int {
        let parts = batch.count >= 64 ? 4 : 1
        let chunk = (batch.count + parts - 1) / parts
        let valid = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let slice = Array(batch[min(batch.count, part * chunk)..<min(batch.count, (part + 1) * chunk)])
            valid.add(processor.prepareAhead(slice).validEventCount, ordering: .relaxed)
        }
        return valid.load(ordering: .relaxed)
    }
}
