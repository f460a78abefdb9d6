import Crypto
import Dispatch
import Foundation
import GRDB
import Kafka

/// Gives every input message exactly one outcome, in the contract's order of checks, and writes it
/// (outcome row, event id, domain effects, outbox rows) inside the caller's transaction.
public final class MessageProcessor<Handler: DomainHandler>: Sendable {
    public let handler: Handler
    public let deadLetterTopic: String
    public let renderer: NotificationRenderer

    public init(handler: Handler, deadLetterTopic: String, notificationsTopic: String) {
        self.handler = handler
        self.deadLetterTopic = deadLetterTopic
        self.renderer = NotificationRenderer(workerName: handler.workerName, topic: notificationsTopic)
    }

    /// What one batch produced: outbox rows to send once committed, next offsets, counts for metrics.
    public struct BatchResult: Sendable {
        public var outbox: [OutboxRecord] = []
        public var nextOffsets: [TopicPartition: Int64] = [:]
        /// Counts by (outcome, event type or "unknown").
        public var outcomes: [OutcomeKey: Int] = [:]
        /// Counts of dead letters by reason.
        public var deadLetters: [DeadLetterReason: Int] = [:]
    }

    // MARK: - Checks that need no store

    func prepare(_ message: ConsumedMessage) -> PreparedMessage<Handler.Event> {
        let event: CloudEvent
        switch EnvelopeCheck.check(message.value) {
        case .deadLetter(let reason, let detail, let eventID):
            return .deadLetter(reason, detail: detail, eventID: eventID)
        case .event(let parsed):
            event = parsed
        }
        let hash = Array(SHA256.hash(data: message.value ?? []).prefix(16))
        func later(_ reason: DeadLetterReason, _ detail: String) -> PreparedMessage<Handler.Event> {
            .event(event, valueHash: hash, laterFailure: (reason, detail), decoded: nil)
        }
        let key = message.key.map { String(decoding: $0, as: UTF8.self) }
        guard let key, key == event.subject else {
            return later(.keyMismatch, "subject \(event.subject) differs from the message key \(key ?? "(none)")")
        }
        let entityField = handler.entityIDField
        if case .string(let entityID)? = event.data[entityField], entityID != key {
            return later(.keyMismatch, "data.\(entityField) \(entityID) differs from the message key \(key)")
        }
        guard handler.eventTypes.contains(event.type) else {
            return later(.unknownType, "event type \(event.type) is not one this worker handles")
        }
        do {
            let reader = DataReader(event.data)
            _ = try reader.string(entityField)
            let decoded = try handler.decode(type: event.type, data: reader)
            return .event(event, valueHash: hash, laterFailure: nil, decoded: decoded)
        } catch {
            return later(.invalidData, error.description)
        }
    }

    /// Prepares a batch, splitting the work over the machine's cores when it is large enough to pay.
    func prepareAll(_ messages: [ConsumedMessage]) -> [PreparedMessage<Handler.Event>] {
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, 4)
        guard messages.count >= 64, workers > 1 else { return messages.map(prepare) }
        let results = UnsafeMutableBufferPointer<PreparedMessage<Handler.Event>?>.allocate(capacity: messages.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let output = UncheckedSendableBuffer(results)
        let chunk = (messages.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { part in
            let range = (part * chunk)..<min(messages.count, (part + 1) * chunk)
            for index in range { output.buffer[index] = prepare(messages[index]) }
        }
        return results.map { $0! }
    }

    // MARK: - Inside the transaction

    /// Gives each message its outcome inside the open transaction.
    public func process(_ messages: [ConsumedMessage], db: Database) throws -> BatchResult {
        var result = BatchResult()
        let prepared = prepareAll(messages)
        for (message, preparation) in zip(messages, prepared) {
            try process(message, preparation, db: db, into: &result)
            result.nextOffsets[message.topicPartition] = message.offset + 1
        }
        return result
    }

    private func process(_ message: ConsumedMessage, _ preparation: PreparedMessage<Handler.Event>, db: Database, into result: inout BatchResult) throws {
        switch preparation {
        case .deadLetter(let reason, let detail, let eventID):
            try deadLetter(message, reason: reason, detail: detail, eventID: eventID, eventType: nil, db: db, into: &result)
        case .event(let event, let hash, let laterFailure, let decoded):
            if let earlier = try Row.fetchOne(db.cachedStatement(sql: "SELECT value_hash FROM runtime_event_ids WHERE event_id = ?"), arguments: [event.id]) {
                let earlierHash: Data = earlier[0]
                if [UInt8](earlierHash) == hash {
                    try recordOutcome(message, eventID: event.id, eventType: event.type, outcome: "duplicate", reason: nil, detail: nil, db: db, into: &result)
                } else {
                    try deadLetter(message, reason: .eventIDConflict, detail: "event id \(event.id) was already used by an event with different content",
                                   eventID: event.id, eventType: event.type, db: db, into: &result)
                }
                return
            }
            if let (reason, detail) = laterFailure {
                try deadLetter(message, reason: reason, detail: detail, eventID: event.id, eventType: event.type, db: db, into: &result)
                return
            }
            guard let decoded else { return }
            let context = EventContext(event: event, partition: message.partition, offset: message.offset)
            switch try handler.apply(decoded, context: context, db: db) {
            case .applied(let notifications):
                try claimEventID(event.id, hash: hash, outcome: "applied", db: db)
                try recordOutcome(message, eventID: event.id, eventType: event.type, outcome: "applied", reason: nil, detail: nil, db: db, into: &result)
                for notification in notifications {
                    result.outbox.append(try OutboxRecord.insert(renderer.record(for: notification, causedBy: context), db: db))
                }
            case .rejected(let reasonCode, let detail, let notices):
                try claimEventID(event.id, hash: hash, outcome: "rejected", db: db)
                try recordOutcome(message, eventID: event.id, eventType: event.type, outcome: "rejected", reason: reasonCode, detail: detail, db: db, into: &result)
                let rejection = NotificationRenderer.rejection(context: context, reasonCode: reasonCode, detail: detail)
                for notification in [rejection] + notices {
                    result.outbox.append(try OutboxRecord.insert(renderer.record(for: notification, causedBy: context), db: db))
                }
            case .duplicate(let detail):
                try recordOutcome(message, eventID: event.id, eventType: event.type, outcome: "duplicate", reason: nil, detail: detail, db: db, into: &result)
            }
        }
    }

    private func claimEventID(_ id: String, hash: [UInt8], outcome: String, db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO runtime_event_ids (event_id, value_hash, outcome) VALUES (?, ?, ?)")
            .execute(arguments: [id, Data(hash), outcome])
    }

    private func recordOutcome(
        _ message: ConsumedMessage, eventID: String?, eventType: String?, outcome: String, reason: String?, detail: String?,
        db: Database, into result: inout BatchResult
    ) throws {
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO runtime_message_outcomes (topic, partition, offset, event_id, event_type, outcome, reason_code, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [message.topic, message.partition, message.offset, eventID, eventType, outcome, reason, detail])
        let type = eventType.flatMap { handler.eventTypes.contains($0) ? $0 : nil } ?? "unknown"
        result.outcomes[OutcomeKey(outcome: outcome, eventType: type), default: 0] += 1
    }

    private func deadLetter(
        _ message: ConsumedMessage, reason: DeadLetterReason, detail: String, eventID: String?, eventType: String?,
        db: Database, into result: inout BatchResult
    ) throws {
        try recordOutcome(message, eventID: eventID, eventType: eventType, outcome: "dead_lettered", reason: reason.rawValue, detail: detail, db: db, into: &result)
        var headers = [
            KafkaHeader("dlq-reason", reason.rawValue), KafkaHeader("dlq-detail", detail),
            KafkaHeader("dlq-topic", message.topic), KafkaHeader("dlq-partition", String(message.partition)),
            KafkaHeader("dlq-offset", String(message.offset)), KafkaHeader("dlq-worker", handler.workerName),
        ]
        if let eventID { headers.append(KafkaHeader("dlq-event-id", eventID)) }
        let copy = ProducerRecord(topic: deadLetterTopic, key: message.key, value: message.value, headers: headers)
        result.outbox.append(try OutboxRecord.insert(copy, db: db))
        result.deadLetters[reason, default: 0] += 1
    }
}

/// A buffer written by disjoint index ranges from several threads at once.
private struct UncheckedSendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
    init(_ buffer: UnsafeMutableBufferPointer<Element>) { self.buffer = buffer }
}
