import Foundation
import GRDB
import Kafka
import Testing
import WelfareTestSupport
import TallyDomain
@testable import WorkerRuntime

@Suite("outbox rows")
struct OutboxRowTests {
    @Test("packed messages unpack to the same topics, keys, values, partitions and headers, absent ones included; cut bytes are refused")
    func packingRoundTrip() throws {
        let records = [
            ProducerRecord(topic: "welfare.notifications", key: Array("V-1".utf8), value: Array("{\"text\":\"已记录\"}".utf8)),
            ProducerRecord(topic: "welfare.tally.dlq", partition: 3, key: nil, value: nil,
                           headers: [KafkaHeader("dlq-reason", "MALFORMED_JSON"), KafkaHeader(name: "empty", value: nil), KafkaHeader("blank", "")]),
            ProducerRecord(topic: "t", key: [], value: []),
        ]
        let packed = PackedMessages(records)
        #expect(packed.count == 3)
        let unpacked = try #require(PackedMessages.unpack(packed.bytes))
        #expect(unpacked.map(\.topic) == records.map(\.topic))
        #expect(unpacked.map(\.key) == records.map(\.key))
        #expect(unpacked.map(\.value) == records.map(\.value))
        #expect(unpacked.map(\.partition) == [nil, 3, nil])
        #expect(unpacked.map(\.headers) == records.map(\.headers))
        #expect(PackedMessages.unpack([]).map(\.count) == 0)
        for cut in [1, 7, packed.bytes.count / 2, packed.bytes.count - 1] {
            #expect(PackedMessages.unpack(Array(packed.bytes.prefix(cut))) == nil, "cut at \(cut)")
        }
    }

    @Test("a token names its row and its place in the row")
    func tokens() {
        for (seq, index) in [(Int64(1), 0), (42, 7_999), (1 << 40, OutboxRow.maxMessages - 1)] {
            let position = OutboxRow.position(of: OutboxRow.token(seq: seq, index: index))
            #expect(position.seq == seq && position.index == index)
        }
    }

    @Test("a row counts as delivered only once every one of its messages is confirmed, a failed one resent included")
    func rowConfirmedWhenAllMessagesAre() {
        let tracker = DeliveryTracker()
        let record = ProducerRecord(topic: "welfare.notifications", key: nil, value: [1])
        let rows = [OutboxRow(seq: 5, records: [record, record, record]), OutboxRow(seq: 6, records: [record])]
        for row in rows {
            tracker.expect(row)
            tracker.sent(count: row.records.count)
        }
        func report(_ seq: Int64, _ index: Int, ok: Bool = true) {
            tracker.record(DeliveryReport(token: OutboxRow.token(seq: seq, index: index), topic: "welfare.notifications",
                                          result: ok ? .success((0, 0)) : .failure(.client("broker down"))))
        }
        report(5, 0)
        report(6, 0)
        report(5, 2, ok: false)
        #expect(tracker.takeConfirmed() == [6])
        report(5, 1)
        #expect(tracker.takeConfirmed().isEmpty, "row 5 still has a failed message")
        let failed = tracker.takeFailed()
        #expect(failed.tokens == [OutboxRow.token(seq: 5, index: 2)])
        tracker.sent()
        report(5, 2)
        #expect(tracker.takeConfirmed() == [5])
        #expect(tracker.inFlight == 0)
    }

    @Test("a batch writes its outbox as one row, and starts another row past 1 MiB of packed messages, in input order")
    func batchOutboxRows() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let domain = TallyDomain()
        let store = try SQLiteStore(path: directory.appendingPathComponent("rows.sqlite").path, for: domain)
        let processor = MessageProcessor(handler: domain, deadLetterTopic: "welfare.tally.dlq", notificationsTopic: "welfare.notifications")
        func message(_ offset: Int, _ value: [UInt8]) -> ConsumedMessage {
            ConsumedMessage(topic: "welfare.tally", partition: 0, offset: Int64(offset), key: Array("T1".utf8), value: value)
        }
        let small = try store.write { try processor.process((0..<300).map { message($0, tallyEvent(id: "ev-\($0)", tally: "T1", amount: 5)) }, in: $0) }
        #expect(small.outbox.count == 1)
        #expect(small.outbox.first?.records.count == 300)

        // Twenty malformed messages of 300 KB each: their dead-letter copies pack past 1 MiB every four.
        let big = (0..<20).map { message(300 + $0, [UInt8](repeating: UInt8(ascii: "x"), count: 300_000)) }
        let large = try store.write { try processor.process(big, in: $0) }
        #expect(large.outbox.count == 5)
        #expect(large.outbox.map(\.records.count) == [4, 4, 4, 4, 4])
        #expect(large.outbox.map(\.records.count).reduce(0, +) == 20)
        #expect(zip(large.outbox, large.outbox.dropFirst()).allSatisfy { $0.seq < $1.seq })

        let stored = try store.queue.read { db in try Row.fetchAll(db, sql: "SELECT seq, messages FROM runtime_outbox ORDER BY seq") }
        #expect(stored.count == 6)
        let storedMessages = stored.compactMap { PackedMessages.unpack([UInt8]($0["messages"] as Data)) }.flatMap { $0 }
        let sentMessages = (small.outbox + large.outbox).flatMap(\.records)
        #expect(storedMessages.count == 320)
        #expect(storedMessages.map(\.value) == sentMessages.map(\.value))
        #expect(storedMessages.suffix(20).map { $0.headers.first { $0.name == "dlq-offset" }?.text } == (300..<320).map { String($0) })
    }
}
