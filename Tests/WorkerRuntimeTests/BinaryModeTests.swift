import Foundation
import Kafka
import Testing
import WelfareTestSupport
import WorkerRuntime

/// The headers and value of a tally event in binary content mode.
func binaryTallyEvent(id: String?, tally: String, amount: Int = 10, source: String = "/test/source",
                      extra: [KafkaHeader] = [], contentType: String? = "application/json") -> (headers: [KafkaHeader], value: [UInt8]) {
    var headers = [KafkaHeader("ce_specversion", "1.0")]
    if let id { headers.append(KafkaHeader("ce_id", id)) }
    headers += [KafkaHeader("ce_source", source), KafkaHeader("ce_type", "tally.added.v1"),
                KafkaHeader("ce_time", "2026-05-10T09:00:00+08:00"), KafkaHeader("ce_subject", tally)]
    if let contentType { headers.append(KafkaHeader("content-type", contentType)) }
    return (headers + extra, Array("{\"tally_id\":\"\(tally)\",\"entry_id\":\"E-\(id ?? "none")\",\"amount\":\(amount)}".utf8))
}

@Suite("CloudEvents binary content mode")
struct BinaryModeEnvelopeTests {
    func outcome(_ message: (headers: [KafkaHeader], value: [UInt8])) -> (reason: DeadLetterReason?, eventID: String?, event: CloudEvent?) {
        switch EnvelopeCheck.check(message.value, headers: message.headers) {
        case .event(let event): (nil, nil, event)
        case .deadLetter(let reason, _, let eventID): (reason, eventID, nil)
        }
    }

    @Test("a binary event reads its attributes from ce_* headers and its data from the value")
    func validBinaryEvent() throws {
        let result = outcome(binaryTallyEvent(id: "b-1", tally: "T1", extra: [KafkaHeader("traceparent", "00-abc"), KafkaHeader("ce_partitionkey", "T1")]))
        let event = try #require(result.event)
        #expect(event.id == "b-1" && event.source == "/test/source" && event.type == "tally.added.v1" && event.subject == "T1")
        #expect(event.time.text == "2026-05-10T09:00:00+08:00")
        #expect(event.data["amount"] == .integer(10))
        #expect(outcome(binaryTallyEvent(id: "b-2", tally: "T1", contentType: nil)).event != nil, "content-type is optional")
        #expect(outcome(binaryTallyEvent(id: "b-3", tally: "T1", contentType: "Application/JSON; charset=utf-8")).event != nil)
    }

    @Test("the hidden corners of binary mode get the contract's reasons", arguments: [
        ("missing ce_id", binaryTallyEvent(id: nil, tally: "T1"), DeadLetterReason.notCloudEvent),
        ("content-type other than JSON", binaryTallyEvent(id: "c-1", tally: "T1", contentType: "text/plain"), .notCloudEvent),
        ("a repeated ce_id", binaryTallyEvent(id: "c-2", tally: "T1", extra: [KafkaHeader("ce_id", "c-2")]), .notCloudEvent),
        ("a repeated content-type", binaryTallyEvent(id: "c-3", tally: "T1", extra: [KafkaHeader("content-type", "application/json")]), .notCloudEvent),
        ("source with a space", binaryTallyEvent(id: "c-4", tally: "T1", source: "/a b"), .notCloudEvent),
        ("specversion 0.3", (binaryTallyEvent(id: "c-5", tally: "T1").headers.map { $0.name == "ce_specversion" ? KafkaHeader("ce_specversion", "0.3") : $0 },
                             binaryTallyEvent(id: "c-5", tally: "T1").value), .unsupportedSpecVersion),
        ("value not an object", (binaryTallyEvent(id: "c-6", tally: "T1").headers, Array("[1]".utf8)), .notCloudEvent),
        ("value not JSON", (binaryTallyEvent(id: "c-7", tally: "T1").headers, Array("{nope".utf8)), .malformedJSON),
        ("empty value", (binaryTallyEvent(id: "c-8", tally: "T1").headers, []), .malformedJSON),
        ("value over 1 MiB", (binaryTallyEvent(id: "c-9", tally: "T1").headers, [UInt8](repeating: 0x20, count: EnvelopeCheck.maximumValueBytes + 1)), .tooLarge),
    ] as [(String, (headers: [KafkaHeader], value: [UInt8]), DeadLetterReason)])
    func hiddenCorners(name: String, message: (headers: [KafkaHeader], value: [UInt8]), expected: DeadLetterReason) {
        #expect(outcome(message).reason == expected, "\(name)")
    }

    @Test("a header that is not valid UTF-8 is NOT_CLOUDEVENT, and the readable ce_id is still reported")
    func invalidUTF8Header() {
        var message = binaryTallyEvent(id: "u-1", tally: "T1")
        message.headers = message.headers.map { $0.name == "ce_source" ? KafkaHeader(name: "ce_source", value: [0x2F, 0xC3, 0x28]) : $0 }
        let result = outcome(message)
        #expect(result.reason == .notCloudEvent)
        #expect(result.eventID == "u-1")
        #expect(outcome(binaryTallyEvent(id: nil, tally: "T1")).eventID == nil)
    }

    @Test("ce_specversion with content-type application/cloudevents+json is structured mode, as the binding says")
    func cloudEventsContentTypeIsStructured() {
        let structured = tallyEvent(id: "s-1", tally: "T1")
        let headers = [KafkaHeader("ce_specversion", "1.0"), KafkaHeader("content-type", "application/cloudevents+json; charset=UTF-8")]
        #expect(EnvelopeCheck.contentMode(of: headers) == .structured)
        #expect(outcome((headers, structured)).event?.id == "s-1")
        // The same headers with the data alone as the value: structured mode finds no attributes.
        #expect(outcome((headers, binaryTallyEvent(id: "s-2", tally: "T1").value)).reason == .notCloudEvent)
        // Without ce_specversion, a content-type of application/json is structured as before.
        #expect(EnvelopeCheck.contentMode(of: [KafkaHeader("content-type", "application/json")]) == .structured)
        #expect(EnvelopeCheck.contentMode(of: []) == .structured)
    }

    @Test("a structured event with an empty id reports no event id for the dlq-event-id header")
    func emptyIDIsNotReadable() {
        let text = String(decoding: tallyEvent(id: "", tally: "T1"), as: UTF8.self)
        guard case .deadLetter(let reason, _, let eventID) = EnvelopeCheck.check(Array(text.utf8)) else { Issue.record("must be refused"); return }
        #expect(reason == .notCloudEvent)
        #expect(eventID == nil)
    }

    @Test("the duplicate digest compares binary messages by value and ce_*/content-type headers, in any order, and structured ones by value")
    func duplicateDigest() {
        let message = binaryTallyEvent(id: "d-1", tally: "T1")
        let digest = ContentDigest.of(value: message.value, headers: message.headers)
        #expect(ContentDigest.of(value: message.value, headers: message.headers.reversed()) == digest)
        #expect(ContentDigest.of(value: message.value, headers: message.headers + [KafkaHeader("traceparent", "x")]) == digest)
        let otherSource = binaryTallyEvent(id: "d-1", tally: "T1", source: "/other")
        #expect(ContentDigest.of(value: otherSource.value, headers: otherSource.headers) != digest)
        #expect(ContentDigest.of(value: message.value + [0x20], headers: message.headers) != digest)
        let structured = tallyEvent(id: "d-1", tally: "T1")
        #expect(ContentDigest.of(value: structured, headers: []) == ContentDigest.of(value: structured, headers: [KafkaHeader("traceparent", "x")]))
        #expect(ContentDigest.of(value: structured, headers: []).count == 16)
    }
}

@Suite("binary content mode end to end", .timeLimit(.minutes(2)))
struct BinaryModeWorkerTests {
    func record(_ message: (headers: [KafkaHeader], value: [UInt8]), key: String) -> ProducerRecord {
        ProducerRecord(topic: "welfare.tally", key: Array(key.utf8), value: message.value, headers: message.headers)
    }

    @Test("binary and structured events get the same outcomes and duplicate rule; dead letters keep the original headers before the dlq-* ones")
    func binaryOutcomes() async throws {
        let worker = try InProcessWorker(partitions: 1)
        worker.start()
        let good = binaryTallyEvent(id: "b-1", tally: "T1", amount: 5, extra: [KafkaHeader("traceparent", "00-1")])
        let reordered = (good.headers.reversed() + [], good.value)
        let conflict = binaryTallyEvent(id: "b-1", tally: "T1", amount: 6)
        let badType = binaryTallyEvent(id: "b-2", tally: "T1", contentType: "text/plain")
        let emptyID = tallyEvent(id: "", tally: "T1")
        try await worker.publish(records: [
            record(good, key: "T1"),
            record((Array(reordered.0), reordered.1), key: "T1"),
            record(conflict, key: "T1"),
            record(badType, key: "T1"),
            ProducerRecord(topic: "welfare.tally", key: Array("T1".utf8), value: tallyEvent(id: "s-1", tally: "T1", amount: 7)),
            ProducerRecord(topic: "welfare.tally", key: Array("T1".utf8), value: emptyID),
        ])
        #expect(try await worker.waitForOutcomes(6))
        let outcomes = try await worker.outcomes()
        #expect(outcomes.map { $0.outcome == "dead_lettered" ? $0.reasonCode ?? "?" : $0.outcome }
                == ["applied", "duplicate", "EVENT_ID_CONFLICT", "NOT_CLOUDEVENT", "applied", "NOT_CLOUDEVENT"])
        let total = try await worker.store.queue.read { try Int.fetchOne($0, sql: "SELECT total FROM tally_totals WHERE tally_id = 'T1'") }
        #expect(total == 12)

        let letters = try await worker.read(topic: "welfare.tally.dlq", partitions: 3, count: 3).sorted { ($0.header("dlq-offset")?.text ?? "") < ($1.header("dlq-offset")?.text ?? "") }
        #expect(letters.count == 3)
        let copy = try #require(letters.first { $0.header("dlq-offset")?.text == "3" })
        #expect(Array(copy.headers.prefix(badType.headers.count)) == badType.headers, "the original headers come first, in order")
        #expect(copy.headers.dropFirst(badType.headers.count).map(\.name)
                == ["dlq-reason", "dlq-detail", "dlq-topic", "dlq-partition", "dlq-offset", "dlq-worker", "dlq-event-id"])
        #expect(copy.value == badType.value)
        #expect(copy.header("dlq-event-id")?.text == "b-2")
        let empty = try #require(letters.first { $0.header("dlq-offset")?.text == "5" })
        #expect(empty.header("dlq-event-id") == nil, "an empty id gives no dlq-event-id header")
        #expect(empty.headers.map(\.name) == ["dlq-reason", "dlq-detail", "dlq-topic", "dlq-partition", "dlq-offset", "dlq-worker"])
        try await worker.stop()
    }
}
