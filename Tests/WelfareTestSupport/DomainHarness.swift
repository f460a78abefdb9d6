import Foundation
import GRDB
import Kafka
import WorkerRuntime

/// Runs a domain's events through the real message processor into a real store (a SQLite file in a
/// temporary folder, or a new PostgreSQL database), and hands back each message's outcome and
/// notifications: the domain's rules end to end, without a broker, on either engine.
public final class DomainHarness<Domain: DomainHandler> {
    public let store: TestStore
    public let processor: MessageProcessor<Domain>
    public let topic: String
    private let directory: URL
    private var offset: Int64 = 0
    private var counter = 0

    public init(domain: Domain, topic: String, engine: StoreEngine = .sqlite) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(domain.workerName)-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        store = try TestStore(engine: engine, domain: domain, directory: directory)
        processor = MessageProcessor(handler: domain, deadLetterTopic: topic + ".dlq", notificationsTopic: "welfare.notifications")
        self.topic = topic
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// What one message came to.
    public typealias Step = DomainStep

    /// One event's message bytes, keyed by the domain's entity id in `data`.
    public func message(_ type: String, _ data: JSONObject, entity: String, id: String? = nil, time: String) -> (key: String, value: [UInt8]) {
        counter += 1
        let key = data[entity]?.stringValue ?? "none"
        let event: JSONObject = [
            "specversion": .string("1.0"), "id": .string(id ?? "evt-\(counter)"), "source": .string("/test/upstream"),
            "type": .string(type), "time": .string(time), "subject": .string(key), "data": .object(data),
        ]
        return (key, JSONWriter.encode(.object(event)))
    }

    /// Processes messages in one transaction (one batch), returning a step per message.
    public func batch(_ messages: [(key: String, value: [UInt8])]) throws -> [Step] {
        try batch(messages.map { (key: $0.key, value: $0.value, headers: []) })
    }

    /// Processes messages with headers in one transaction (one batch), returning a step per message.
    public func batch(_ messages: [(key: String, value: [UInt8], headers: [KafkaHeader])]) throws -> [Step] {
        let consumed = messages.map { message -> ConsumedMessage in
            defer { offset += 1 }
            return ConsumedMessage(topic: topic, partition: 0, offset: offset, key: Array(message.key.utf8), value: message.value, headers: message.headers)
        }
        let result = try store.runtime.write { try processor.process(consumed, in: $0) }
        let rows = try store.rows("SELECT \"offset\", outcome, reason_code, detail FROM runtime_message_outcomes WHERE \"offset\" >= CAST(? AS INTEGER) ORDER BY \"offset\"",
                                  [String(consumed.first?.offset ?? 0)])
        var deadLetters: [Int64: [KafkaHeader]] = [:]
        for record in result.outbox.flatMap(\.records) where record.topic == topic + ".dlq" {
            if let offset = record.headers.last(where: { $0.name == "dlq-offset" })?.text.flatMap({ Int64($0) }) { deadLetters[offset] = record.headers }
        }
        var notificationsByEvent: [String: [JSONObject]] = [:]
        for record in result.outbox.flatMap(\.records) where record.topic == "welfare.notifications" {
            guard case .object(let envelope)? = try? JSONParser.parse(record.value ?? []), let data = envelope["data"]?.objectValue,
                  let cause = data["caused_by"]?.stringValue else { continue }
            notificationsByEvent[cause, default: []].append(data)
        }
        return zip(rows, messages).map { row, message in
            let id = (try? JSONParser.parse(message.value)).flatMap { $0.objectValue?["id"]?.stringValue } ?? ""
            let offset = row[0].flatMap { Int64($0) } ?? -1
            return Step(outcome: row[1] ?? "", reason: row[2], detail: row[3], notifications: notificationsByEvent[id] ?? [],
                        deadLetterHeaders: deadLetters[offset])
        }
    }
}

/// What one message came to in a `DomainHarness`.
public struct DomainStep: Sendable {
    public let outcome: String
    public let reason: String?
    public let detail: String?
    public let notifications: [JSONObject]
    /// The headers of this message's dead-letter copy, when it was dead-lettered.
    public let deadLetterHeaders: [KafkaHeader]?

    public var templates: [String] { notifications.compactMap { $0["template"]?.stringValue } }
    public func params(_ template: String) -> JSONObject? { notifications.first { $0["template"]?.stringValue == template }?["params"]?.objectValue }
    public func recipient(_ template: String) -> JSONObject? { notifications.first { $0["template"]?.stringValue == template }?["recipient"]?.objectValue }
}
