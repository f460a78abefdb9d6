import Foundation
import GRDB
import Kafka
import TallyDomain
import Testing
import WelfareTestSupport
import WorkerRuntime

/// `store.event_id_retention`: event ids and outcomes are kept for a window of business time, then forgotten
/// a bounded step per batch, so the runtime's tables stop growing while a repeat inside the window is still
/// found.
@Suite("event ids kept for a window of business time", .timeLimit(.minutes(3)))
struct EventIDRetentionTests {
    /// An RFC 3339 time `minutes` after 2026-05-10 08:00 Asia/Shanghai.
    static func time(_ minutes: Int) -> String {
        let instant = Date(timeIntervalSince1970: 1_778_371_200 + Double(minutes) * 60)
        let format = ISO8601DateFormatter()
        format.timeZone = TimeZone(identifier: "Asia/Shanghai")
        return format.string(from: instant)
    }

    /// A steady stream from minute `start`: one reset a minute over ten tallies (so the domain's own tables
    /// keep their size), with a repeat and a malformed message every 50.
    static func round(from start: Int, count: Int) -> [(key: String?, value: [UInt8]?)] {
        var messages: [(key: String?, value: [UInt8]?)] = []
        for minute in start..<(start + count) {
            let tally = "T\(minute % 10)"
            let event = tallyEvent(id: "reset-\(minute)", type: "tally.reset.v1", tally: tally, time: time(minute))
            messages.append((tally, event))
            if minute % 50 == 0 {
                messages.append((tally, event))
                messages.append((tally, Array("{not json".utf8)))
            }
        }
        return messages
    }

    /// Batches in the steady stream: enough for keys to pass every level of the event-id index (about 16 + 256
    /// transactions), then 200 more to compare.
    static let steadyBatches = 500

    @Test("a store past the window keeps the same size under a steady stream")
    func steadyStreamKeepsTheSameSize() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let domain = TallyDomain()
        let store = try SQLiteStore(path: directory.appendingPathComponent("steady.sqlite").path, for: domain)
        let processor = MessageProcessor(handler: domain, deadLetterTopic: "welfare.tally.dlq", notificationsTopic: "welfare.notifications",
                                         eventIDRetention: .seconds(30 * 60))
        // Batches of the same size one after another, as a worker takes them from a steady stream: the sizes
        // then repeat with each pruning step.
        var offset: Int64 = 0
        var sizes: [(events: Int, others: Int, pages: Int)] = []
        for batch in 0..<Self.steadyBatches {
            let messages = Self.round(from: batch * 100, count: 100).map { message -> ConsumedMessage in
                defer { offset += 1 }
                return ConsumedMessage(topic: "welfare.tally", partition: 0, offset: offset, key: message.key.map { Array($0.utf8) }, value: message.value)
            }
            sizes.append(try store.write { transaction in
                _ = try processor.process(messages, in: transaction)
                // Notifications are delivered at once here (they would take pages of their own).
                try (try transaction.sqlite).execute(sql: "DELETE FROM runtime_outbox")
                let db = try transaction.sqlite
                return (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_events") ?? -1,
                        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_other_outcomes") ?? -1,
                        (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0) - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0))
            })
        }
        // A window of 30 minutes holds about 30 events of one a minute; rows go a step (here 1,000) at a time.
        #expect(sizes.allSatisfy { $0.events <= 30 + 1_000 + 100 }, "event rows kept: \(sizes.map(\.events))")
        #expect(sizes.allSatisfy { $0.others <= 2 + 2 }, "duplicates and dead letters kept: \(sizes.map(\.others))")
        #expect(sizes[10...].contains { $0.events < 200 }, "steps were taken: \(sizes.map(\.events))")
        // Freed pages are used again: once the event-id index's sweeps have passed every key of an expired
        // event, the last part of the stream needs no more pages than the part before.
        let settled = Self.steadyBatches - 200
        let before = sizes[settled..<(settled + 100)].map(\.pages).max() ?? 0
        let after = sizes[(settled + 100)...].map(\.pages).max() ?? 0
        #expect(after <= before + 1, "pages in use: \(sizes.map(\.pages))")
        #expect(offset == Int64(Self.steadyBatches) * 104, "every message was processed (a repeat and a malformed message every 50)")
    }

    @Test("a repeat inside the window is a duplicate; once the window and a pruning step have passed, a re-send is a new event")
    func repeatInsideTheWindowIsADuplicate() async throws {
        let worker = try InProcessWorker(partitions: 1) { $0.eventIDRetention = .seconds(30 * 60) }
        worker.start()
        let original = tallyEvent(id: "e-0", type: "tally.reset.v1", tally: "T1", time: Self.time(0))
        var messages: [(key: String?, value: [UInt8]?)] = [("T1", original)]
        messages += (1...20).map { ("T1", tallyEvent(id: "e-\($0)", type: "tally.reset.v1", tally: "T1", time: Self.time($0))) }
        messages.append(("T1", original))
        try await worker.publish(messages)
        #expect(try await worker.waitForOutcomes(messages.count))
        let inside = try await worker.outcomes()
        #expect(inside.last?.eventID == "e-0" && inside.last?.outcome == "duplicate", "a repeat 20 minutes later, inside 30")

        // The clock moves on by more than the window and a pruning step's worth of events (twice a batch at least).
        let later = (60..<3_060).map { ("T1" as String?, tallyEvent(id: "e-\($0)", type: "tally.reset.v1", tally: "T1", time: Self.time($0)) as [UInt8]?) }
        try await worker.publish(later)
        #expect(try await worker.waitForOutcomes(messages.count + later.count))
        let forgotten = try await worker.store.queue.read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_message_outcomes WHERE event_id IN ('e-0', 'e-1', 'e-20')") ?? -1
        }
        #expect(forgotten == 0, "ids and outcomes seen before the window are forgotten")
        // The same bytes again: outside the window this is a new event, applied.
        try await worker.publish([("T1", original)])
        #expect(try await worker.waitForOutcomes(messages.count + later.count + 1))
        try await worker.stop()
        // Applied, it notifies again (a duplicate would not); its own rows are forgotten at once, being older
        // than the window.
        let notifications = try await worker.read(topic: "welfare.notifications", partitions: 12, count: 21 + later.count + 1, timeout: .seconds(20))
        #expect(notifications.count == 21 + later.count + 1, "one notification per applied reset, the re-send's included")
    }
}
