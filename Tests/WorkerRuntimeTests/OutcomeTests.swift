import Foundation
import GRDB
import Kafka
import Testing
import WelfareTestSupport
import TallyDomain
import WorkerRuntime

@Suite("message outcomes and dead letters", .timeLimit(.minutes(2)))
struct OutcomeTests {
    @Test("every dead-letter reason lands in the DLQ with the contract's headers, and the worker keeps going")
    func everyDeadLetterReason() async throws {
        let worker = try InProcessWorker(partitions: 1)
        worker.start()
        let valid = tallyEvent(id: "ok-1", tally: "T1")
        let exactlyOneMiB = valid + [UInt8](repeating: 0x20, count: EnvelopeCheck.maximumValueBytes - valid.count)
        let tooLarge = [UInt8](repeating: 0x20, count: EnvelopeCheck.maximumValueBytes + 1)
        let conflicting = tallyEvent(id: "ok-1", tally: "T1", amount: 99)
        let messages: [(key: String?, value: [UInt8]?, expected: String)] = [
            ("T1", valid, "applied"),
            ("T1", tooLarge, "TOO_LARGE"),
            ("T1", Array("{not json".utf8), "MALFORMED_JSON"),
            ("T1", nil, "MALFORMED_JSON"),
            ("T1", Array(#"{"specversion":"1.0","id":"nc-1","source":"/s","type":"tally.added.v1","subject":"T1","data":{}}"#.utf8), "NOT_CLOUDEVENT"),
            ("T1", Array(String(decoding: tallyEvent(id: "sv-1", tally: "T1"), as: UTF8.self).replacingOccurrences(of: "\"1.0\"", with: "\"0.3\"").utf8), "UNSUPPORTED_SPECVERSION"),
            ("T1", conflicting, "EVENT_ID_CONFLICT"),
            ("T2", tallyEvent(id: "km-1", tally: "T1"), "KEY_MISMATCH"),
            ("T1", tallyEvent(id: "km-2", tally: "T1", data: ["tally_id": "\"T9\"", "entry_id": "\"x\"", "amount": "1"]), "KEY_MISMATCH"),
            ("T1", tallyEvent(id: "ut-1", type: "tally.multiplied.v1", tally: "T1"), "UNKNOWN_TYPE"),
            ("T1", tallyEvent(id: "id-1", tally: "T1", data: ["tally_id": "\"T1\"", "entry_id": "\"x\"", "amount": "\"ten\""]), "INVALID_DATA"),
            ("T1", tallyEvent(id: "id-2", tally: "T1", data: ["entry_id": "\"x\"", "amount": "1"]), "INVALID_DATA"),
            ("T1", exactlyOneMiB.count == 1_048_576 ? Array(String(decoding: exactlyOneMiB, as: UTF8.self).replacingOccurrences(of: "ok-1", with: "ok-2").utf8) : [], "applied"),
            ("T1", tallyEvent(id: "ok-3", tally: "T1"), "applied"),
        ]
        try await worker.publish(messages.map { ($0.key, $0.value) })
        #expect(try await worker.waitForOutcomes(messages.count))

        let outcomes = try await worker.outcomes()
        #expect(outcomes.count == messages.count)
        for (row, message) in zip(outcomes, messages) {
            #expect((row.outcome == "applied" ? "applied" : row.reasonCode) == message.expected, "offset \(row.offset)")
        }
        #expect(outcomes[10].detail?.hasPrefix("data.amount") == true)
        #expect(outcomes[11].detail?.hasPrefix("data.tally_id") == true)

        let deadLetters = try await worker.read(topic: "welfare.tally.dlq", partitions: 3, count: 11)
        #expect(deadLetters.count == 11)
        let conflict = try #require(deadLetters.first { $0.header("dlq-reason")?.text == "EVENT_ID_CONFLICT" })
        #expect(conflict.value == conflicting, "the dead-letter copy keeps the original bytes")
        #expect(conflict.key == Array("T1".utf8))
        #expect(conflict.header("dlq-topic")?.text == "welfare.tally")
        #expect(conflict.header("dlq-partition")?.text == "0")
        #expect(conflict.header("dlq-offset")?.text == "6")
        #expect(conflict.header("dlq-worker")?.text == "tally")
        #expect(conflict.header("dlq-event-id")?.text == "ok-1")
        #expect(conflict.header("dlq-detail")?.text?.isEmpty == false)
        let malformed = deadLetters.filter { $0.header("dlq-reason")?.text == "MALFORMED_JSON" }
        #expect(malformed.count == 2 && malformed.allSatisfy { $0.header("dlq-event-id") == nil })
        let tooLargeCopy = try #require(deadLetters.first { $0.header("dlq-reason")?.text == "TOO_LARGE" })
        #expect(tooLargeCopy.value?.count == tooLarge.count)
        try await worker.stop()
    }

    @Test("a byte-identical repeat is a duplicate with no effect and no notification; a dead-lettered id stays free")
    func duplicatesAndFreedIDs() async throws {
        let worker = try InProcessWorker(partitions: 1)
        worker.start()
        let event = tallyEvent(id: "e-1", tally: "T1", amount: 5)
        let badData = tallyEvent(id: "e-2", tally: "T1", data: ["tally_id": "\"T1\"", "entry_id": "\"x\"", "amount": "0"])
        let corrected = tallyEvent(id: "e-2", tally: "T1", entry: "x", amount: 7)
        try await worker.publish([("T1", event), ("T1", event), ("T1", badData), ("T1", badData), ("T1", corrected)])
        #expect(try await worker.waitForOutcomes(5))
        let outcomes = try await worker.outcomes().map(\.outcome)
        #expect(outcomes == ["applied", "duplicate", "dead_lettered", "dead_lettered", "applied"])
        let total = try await worker.store.queue.read { try Int.fetchOne($0, sql: "SELECT total FROM tally_totals WHERE tally_id = 'T1'") }
        #expect(total == 12)
        let notifications = try await worker.read(topic: "welfare.notifications", partitions: 12, count: 2)
        #expect(notifications.count == 2)
        let extra = try await worker.read(topic: "welfare.notifications", partitions: 12, count: 3, timeout: .seconds(2))
        #expect(extra.count == 2, "the duplicate emitted nothing")
        try await worker.stop()
    }

    @Test("applied and rejected events notify with stable ids, CloudEvent envelopes and the contract's fields")
    func notificationsForAppliedAndRejected() async throws {
        let worker = try InProcessWorker(partitions: 1)
        worker.start()
        try await worker.publish([("T1", tallyEvent(id: "a-1", tally: "T1", amount: 40)), ("T1", tallyEvent(id: "r-1", tally: "T1", amount: 900, source: "/upstream/app"))])
        let notifications = try await worker.read(topic: "welfare.notifications", partitions: 12, count: 2)
        #expect(notifications.count == 2)
        let added = try #require(notifications.compactMap { jsonObject($0.value) }.first { $0["data"]?.objectValue?["template"] == .string("tally.added") })
        #expect(added["id"] == .string(NotificationRenderer.notificationID(eventID: "a-1", template: "tally.added", recipientKind: .member, recipientID: "T1")))
        #expect(added["source"] == .string("/welfare-workers/tally"))
        #expect(added["type"] == .string("welfare.notification.v1"))
        #expect(added["time"] == .string("2026-05-10T09:00:00+08:00"))
        #expect(added["subject"] == .string("T1"))
        let data = try #require(added["data"]?.objectValue)
        #expect(data["recipient"] == .object(["kind": .string("member"), "id": .string("T1")]))
        #expect(data["locale"] == .string("zh-CN"))
        #expect(data["caused_by"] == .string("a-1"))
        #expect(data["params"]?.objectValue?["total"] == .integer(40))

        let rejectedMessage = try #require(notifications.first { jsonObject($0.value)?["data"]?.objectValue?["template"] == .string("welfare.event.rejected") })
        #expect(rejectedMessage.key == Array("/upstream/app".utf8), "keyed by the recipient id: the source")
        let rejected = try #require(jsonObject(rejectedMessage.value)?["data"]?.objectValue)
        #expect(rejected["recipient"] == .object(["kind": .string("source"), "id": .string("/upstream/app")]))
        let params = try #require(rejected["params"]?.objectValue)
        #expect(params["event_id"] == .string("r-1"))
        #expect(params["event_type"] == .string("tally.added.v1"))
        #expect(params["reason_code"] == .string("OVER_LIMIT"))
        #expect(params["detail"]?.stringValue?.isEmpty == false)
        #expect(try await eventuallyTrue { try await worker.outboxCount() == 0 }, "delivered rows leave the outbox")
        try await worker.stop()
    }

    @Test("after a restart on the same store, nothing already processed is processed again")
    func restartResumesFromStoredOffsets() async throws {
        let first = try InProcessWorker(partitions: 2)
        first.start()
        try await first.publish((0..<50).map { ("T\($0 % 5)", tallyEvent(id: "e-\($0)", tally: "T\($0 % 5)")) })
        #expect(try await first.waitForOutcomes(50))
        try await first.stop()

        let domain = TallyDomain()
        let store = try SQLiteStore(path: first.storePath, for: domain)
        let second = WorkerEngine(settings: first.settings, handler: domain, store: store, metrics: WorkerMetrics(worker: "tally"),
                                  health: HealthState(), logger: InProcessWorker.quiet)
        second.start()
        try await first.publish([("T1", tallyEvent(id: "after-restart", tally: "T1"))])
        #expect(try await first.waitForOutcomes(51))
        second.requestStop()
        _ = try await onDedicatedThread { second.waitUntilStopped() }
        #expect(try await first.outcomeCount() == 51)
        let duplicates = try await store.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_message_outcomes WHERE outcome != 'applied'") }
        #expect(duplicates == 0)
    }
}

