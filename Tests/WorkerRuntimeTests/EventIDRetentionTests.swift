import Foundation
import GRDB
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

    /// Rows in the runtime's outcome tables and the store's pages in use.
    static func footprint(_ worker: InProcessWorker) async throws -> (events: Int, others: Int, pages: Int) {
        try await worker.store.queue.read { db in
            (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_events") ?? -1,
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_other_outcomes") ?? -1,
             (try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0) - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0))
        }
    }

    @Test("a store past the window keeps the same size under a steady stream")
    func steadyStreamKeepsTheSameSize() async throws {
        let worker = try InProcessWorker(partitions: 3) { $0.eventIDRetention = .seconds(30 * 60) }
        worker.start()
        var published = 0
        var sizes: [(events: Int, others: Int, pages: Int)] = []
        for round in 0..<4 {
            let messages = Self.round(from: round * 1_000, count: 1_000)
            try await worker.publish(messages)
            published += messages.count
            #expect(try await worker.waitForOutcomes(published))
            // Undelivered notifications take pages too: measured once they are delivered.
            let deadline = ContinuousClock.now + .seconds(30)
            while try await worker.outboxCount() > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            sizes.append(try await Self.footprint(worker))
        }
        try await worker.stop()
        // A window of 30 minutes holds about 30 events of one a minute; a step per batch may leave a batch behind.
        for size in sizes {
            #expect(size.events >= 30 && size.events <= 30 + 1_000, "event rows kept: \(size.events)")
            // A malformed message has no time of its own: it counts as seen at the store's clock, which a batch
            // over several partitions may have moved to the round's end, so a round's 20 may all be kept.
            #expect(size.others <= 20 + 2, "duplicates and dead letters kept: \(size.others)")
        }
        // Freed pages are used again: the last round ends no bigger than the store was at an earlier one.
        #expect(sizes[3].pages <= (sizes[0..<3].map(\.pages).max() ?? 0) + 2, "pages in use by round: \(sizes.map(\.pages))")
        #expect(try await worker.processedCount() == published, "every message was finished, none skipped")
    }

    @Test("a repeat inside the window is a duplicate; after it the id is forgotten")
    func repeatInsideTheWindowIsADuplicate() async throws {
        let worker = try InProcessWorker(partitions: 1) { $0.eventIDRetention = .seconds(30 * 60) }
        worker.start()
        let original = tallyEvent(id: "e-0", tally: "T1", time: Self.time(0))
        var messages: [(key: String?, value: [UInt8]?)] = [("T1", original)]
        messages += (1...20).map { ("T1", tallyEvent(id: "e-\($0)", tally: "T1", time: Self.time($0))) }
        messages.append(("T1", original))
        try await worker.publish(messages)
        #expect(try await worker.waitForOutcomes(messages.count))
        let inside = try await worker.outcomes()
        #expect(inside.last?.eventID == "e-0" && inside.last?.outcome == "duplicate", "a repeat 20 minutes later, inside 30")

        // The clock moves 40 minutes on: the id of e-0 (and its outcomes) is forgotten.
        try await worker.publish([("T1", tallyEvent(id: "e-60", tally: "T1", time: Self.time(60)))])
        #expect(try await worker.waitForOutcomes(messages.count + 1))
        try await worker.stop()
        let kept = try await worker.store.queue.read { db in
            try String.fetchAll(db, sql: "SELECT event_id FROM runtime_message_outcomes ORDER BY offset")
        }
        #expect(kept == ["e-60"], "everything seen before minute 30 is forgotten")
    }
}
