import Foundation
import Kafka
import Testing
import WorkerRuntime

@Suite("status board and page")
struct StatusPageTests {
    func board() -> StatusBoard {
        StatusBoard(identity: .init(worker: "tally", storePath: "/nonexistent/tally.sqlite", brokerAddress: "127.0.0.1:9092",
                                    allocator: "jemalloc 5.3.0", inputTopic: "welfare.tally", deadLetterTopic: "welfare.tally.dlq"))
    }

    func letter(_ offset: Int64, reason: String = "INVALID_DATA", detail: String = "data.amount must be an integer") -> StatusBoard.DeadLetterEntry {
        .init(time: .distantPast, topic: "welfare.tally", partition: 2, offset: offset, reason: reason, detail: detail, eventID: "e-\(offset)")
    }

    @Test("outcomes count per minute for one hour; older minutes drop out; the latest 20 dead letters are kept, newest first")
    func countsAndRecentLetters() {
        let board = board()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        board.recordBatch(outcomes: [OutcomeKey(outcome: .applied, eventType: "t"): 5], deadLetters: [], nextOffsets: [:], at: now.addingTimeInterval(-3_700))
        board.recordBatch(outcomes: [OutcomeKey(outcome: .applied, eventType: "t"): 7, OutcomeKey(outcome: .rejected, eventType: "t"): 2,
                                     OutcomeKey(outcome: .duplicate, eventType: "t"): 1, OutcomeKey(outcome: .deadLettered, eventType: "unknown"): 25],
                          deadLetters: (0..<25).map { letter(Int64($0), reason: $0 < 5 ? "MALFORMED_JSON" : "INVALID_DATA") },
                          nextOffsets: [TopicPartition("welfare.tally", 2): 40], at: now.addingTimeInterval(-30))
        let snapshot = board.snapshot(now: now)
        #expect(snapshot.minutes.count == 60)
        #expect(snapshot.minutes.reduce(0) { $0 + $1.applied } == 7, "the batch an hour ago is out of the window")
        #expect(snapshot.minutes.last?.rejected == 2 || snapshot.minutes.dropLast().last?.rejected == 2)
        #expect(snapshot.recentDeadLetters.count == StatusBoard.recentLimit)
        #expect(snapshot.recentDeadLetters.first?.offset == 24, "newest first")
        #expect(snapshot.deadLettersLastHour.map(\.reason) == ["INVALID_DATA", "MALFORMED_JSON"])
        #expect(snapshot.deadLettersLastHour.map(\.count) == [20, 5])
        #expect(snapshot.partitions.first?.nextOffset == 40)
    }

    @Test("the page shows partitions with lag, the chart, dead letters with their re-drive command; text is escaped and digit runs masked")
    func pageContents() throws {
        let board = board()
        board.setAssigned([0, 2])
        board.setOffsets(partition: 2, next: 40, high: 52)
        board.recordBatch(outcomes: [OutcomeKey(outcome: .applied, eventType: "t"): 3], deadLetters: [
            letter(7, detail: "data.note <b>13800138000</b> and 51010419900101101X"),
        ], nextOffsets: [TopicPartition("welfare.tally", 2): 40])
        board.setOutbox(backlog: 3, oldestUndeliveredSeconds: 2.5)
        let html = StatusPage.html(board.snapshot())
        #expect(html.contains("<meta http-equiv=\"refresh\""))
        #expect(html.contains("<svg"))
        #expect(!html.contains("<script"))
        #expect(html.contains("<td class=\"num\">12</td>"), "lag of partition 2")
        #expect(html.contains("welfare-admin dlq redrive --bootstrap-servers 127.0.0.1:9092 --dlq-topic welfare.tally.dlq --position 2:7"))
        #expect(html.contains("&lt;b&gt;"))
        #expect(!html.contains("13800138000") && !html.contains("51010419900101101X"))
        #expect(html.contains("138****8000"))
        #expect(html.contains("3 notifications and dead-letter copies waiting"))

        let json = try #require(try? JSONParser.parse(StatusPage.json(board.snapshot())).objectValue)
        #expect(json["worker"] == .string("tally"))
        guard case .array(let partitions)? = json["partitions"], case .array(let minutes)? = json["outcomes_per_minute"] else {
            Issue.record("partitions and outcomes_per_minute must be arrays"); return
        }
        #expect(partitions.count == 2)
        #expect(partitions.last?.objectValue?["lag"] == .integer(12))
        #expect(minutes.count == 60)
        #expect(json["dead_letters_last_hour"]?.objectValue?["INVALID_DATA"] == .integer(1))
        #expect(json["outbox"]?.objectValue?["backlog"] == .integer(3))
    }
}
