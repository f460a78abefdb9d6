import Foundation
import GRDB
import Kafka
import Testing
import WelfareTestSupport
import TallyDomain
import WorkerRuntime

@Suite("outbox order")
struct OutboxOrderTests {
    @Test("a large batch's notifications (rendered on two threads) and dead-letter copies reach the outbox in input order, byte for byte as one at a time")
    func largeBatchKeepsInputOrder() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let messages = (0..<600).map { index -> ConsumedMessage in
            let tally = "T\(index % 37)"
            // Every 50th message breaks the contract, so dead-letter copies sit between notifications.
            let value = index % 50 == 7 ? Array("{broken".utf8) : tallyEvent(id: "ev-\(index)", tally: tally, amount: index % 700 + 1)
            return ConsumedMessage(topic: "welfare.tally", partition: 0, offset: Int64(index), key: Array(tally.utf8), value: value)
        }
        func run(_ name: String, batch: Int) throws -> [(token: UInt64, record: ProducerRecord)] {
            let domain = TallyDomain()
            let store = try SQLiteStore(path: directory.appendingPathComponent(name).path, for: domain)
            let processor = MessageProcessor(handler: domain, deadLetterTopic: "welfare.tally.dlq", notificationsTopic: "welfare.notifications")
            var outbox: [(token: UInt64, record: ProducerRecord)] = []
            for start in stride(from: 0, to: messages.count, by: batch) {
                let result = try store.write { try processor.process(Array(messages[start..<min(start + batch, messages.count)]), in: $0) }
                for row in result.outbox {
                    outbox += row.records.enumerated().map { (OutboxRow.token(seq: row.seq, index: $0), $1) }
                }
            }
            return outbox
        }
        let together = try run("together.sqlite", batch: 600)
        let oneByOne = try run("one-by-one.sqlite", batch: 1)

        #expect(together.count == 600)
        #expect(zip(together, together.dropFirst()).allSatisfy { $0.token < $1.token })
        #expect(together.map(\.record.topic) == oneByOne.map(\.record.topic))
        #expect(together.map(\.record.key) == oneByOne.map(\.record.key))
        #expect(together.map(\.record.value) == oneByOne.map(\.record.value))
        #expect(together.filter { $0.record.topic == "welfare.tally.dlq" }.count == 12)
        // Input order: the n-th outbox message answers the n-th input message (amounts above the tally
        // limit of 500 are rejected, and the rejection notice goes to the event's source).
        let expectedKeys = (0..<600).map { index in index % 50 != 7 && index % 700 + 1 > 500 ? "/test/source" : "T\(index % 37)" }
        #expect(together.map { $0.record.key.map { String(decoding: $0, as: UTF8.self) } ?? "" } == expectedKeys)
        #expect(expectedKeys.filter { $0 == "/test/source" }.count > 50)
    }
}
