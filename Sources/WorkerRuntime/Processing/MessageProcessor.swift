import Dispatch
import Foundation
import Kafka

/// Gives every input message exactly one outcome, in the contract's order of checks, and writes it
/// (outcome row, event id, domain effects, outbox row) inside the caller's transaction.
public final class MessageProcessor<Handler: DomainHandler>: Sendable {
    public let handler: Handler
    public let deadLetterTopic: String
    public let renderer: NotificationRenderer
    /// Unchanging facts of this processor's store, handed to every event (`EventContext.memo`).
    public let memo = StoreMemo()
    /// The handler's event types, read once (a handler may build the set on every access).
    private let eventTypes: Set<String>
    private let entityIDField: String
    /// Renders outbox messages while the writer thread applies the rest of a batch.
    private let renderQueue = DispatchQueue(label: "welfare.outbox.render", qos: .userInitiated)
    /// Checks the messages of a batch that were not checked ahead while the writer applies those that were.
    private let checkQueue = DispatchQueue(label: "welfare.checks", qos: .userInitiated)

    /// The key identity numbers are hashed with, handed to every event (`EventContext.identity`).
    public let identityKey: IdentityKey

    /// How long event ids and outcomes are kept, in business time (nil: for ever). A repeat of an event is
    /// found as a `duplicate` while its id is kept.
    public let eventIDRetention: Duration?

    public init(handler: Handler, deadLetterTopic: String, notificationsTopic: String, identityKey: IdentityKey = .forTests,
                eventIDRetention: Duration? = nil) {
        self.eventIDRetention = eventIDRetention
        self.handler = handler
        self.identityKey = identityKey
        self.deadLetterTopic = deadLetterTopic
        self.renderer = NotificationRenderer(workerName: handler.workerName, topic: notificationsTopic)
        self.eventTypes = handler.eventTypes
        self.entityIDField = handler.entityIDField
    }

    /// What one batch produced: outbox rows to send once committed, next offsets, counts for metrics.
    public struct BatchResult: Sendable {
        public var outbox: [OutboxRow] = []
        public var nextOffsets: [TopicPartition: Int64] = [:]
        /// Counts by (outcome, event type or "unknown").
        public var outcomes: [OutcomeKey: Int] = [:]
        /// Counts of dead letters by reason.
        public var deadLetters: [DeadLetterReason: Int] = [:]
        /// The batch's last dead letters (at most the status page's limit), for the status page.
        public var recentDeadLetters: [StatusBoard.DeadLetterEntry] = []
        /// Outbox messages in input order, notifications not yet rendered: handed in chunks to the
        /// rendering thread and written to the outbox at the end of the batch.
        fileprivate var pending: [PendingOutbox] = []
        /// Checks made during the transaction (messages not checked ahead), kept so that they are freed
        /// with the result on the engine's thread rather than on the writer's.
        fileprivate var checkedHere: CheckPipeline<Handler.Event>?
        /// The outcome of the latest messages and how many in a row had it, added to `outcomes` when it
        /// changes: one dictionary update per run of equal outcomes instead of one per message.
        fileprivate var outcomeRun: (key: OutcomeKey, count: Int)?
        /// The partition of the latest messages and the offset after them, added to `nextOffsets` when the
        /// partition changes (a batch holds long runs of one partition).
        fileprivate var offsetRun: (partition: TopicPartition, next: Int64)?
        /// The store's business clock as the batch goes: the latest event time seen (microseconds), never less.
        fileprivate var clock: Int64 = .min
        /// The latest event time the clock follows: a day past the present (a producer's wrong clock must not
        /// make the store forget ids early).
        fileprivate var clockLimit: Int64 = .max
        /// When a message without a readable event time counts as seen: the clock, or the present before any event.
        fileprivate var seenWithoutEventTime: Int64 { clock > .min ? clock : clockLimit - 86_400_000_000 }

        fileprivate mutating func count(_ key: OutcomeKey) {
            if let run = outcomeRun, run.key == key {
                outcomeRun = (key, run.count + 1)
            } else {
                flushOutcomeRun()
                outcomeRun = (key, 1)
            }
        }

        fileprivate mutating func advance(_ message: UnsafePointer<ConsumedMessage>) {
            if let run = offsetRun, run.partition.partition == message.pointee.partition, run.partition.topic == message.pointee.topic {
                offsetRun = (run.partition, message.pointee.offset + 1)
            } else {
                flushOffsetRun()
                offsetRun = (message.pointee.topicPartition, message.pointee.offset + 1)
            }
        }

        fileprivate mutating func flushOutcomeRun() {
            if let run = outcomeRun { outcomes[run.key, default: 0] += run.count }
            outcomeRun = nil
        }

        fileprivate mutating func flushOffsetRun() {
            if let run = offsetRun { nextOffsets[run.partition] = run.next }
            offsetRun = nil
        }
    }

    fileprivate enum PendingOutbox: Sendable {
        case notification(Notification, EventContext)
        case record(ProducerRecord, partition: Int32)
    }

    // MARK: - Checks that need no store

    func prepare(_ message: ConsumedMessage) -> PreparedMessage<Handler.Event> {
        let event: CloudEvent
        switch EnvelopeCheck.check(message.value, headers: message.headers) {
        case .deadLetter(let reason, let detail, let eventID):
            return .deadLetter(reason, detail: detail, eventID: eventID)
        case .event(let parsed):
            event = parsed
        }
        let hash = ContentDigest.of(value: message.value, headers: message.headers)
        // Nothing after these checks reads `data`: the prepared message keeps the envelope without it, so a
        // batch checked ahead does not hold every event's parsed JSON until its transaction.
        let envelope = CloudEvent(id: event.id, source: event.source, type: event.type, time: event.time, subject: event.subject, data: [:])
        func later(_ reason: DeadLetterReason, _ detail: String) -> PreparedMessage<Handler.Event> {
            .event(envelope, valueHash: hash, laterFailure: (reason, detail), decoded: nil)
        }
        let key = message.key.map { String(decoding: $0, as: UTF8.self) }
        guard let key, key == event.subject else {
            return later(.keyMismatch, "subject \(event.subject) differs from the message key \(key ?? "(none)")")
        }
        let entityField = entityIDField
        if case .string(let entityID)? = event.data[entityField], entityID != key {
            return later(.keyMismatch, "data.\(entityField) \(entityID) differs from the message key \(key)")
        }
        guard eventTypes.contains(event.type) else {
            return later(.unknownType, "event type \(event.type) is not one this worker handles")
        }
        do {
            let reader = DataReader(event.data)
            _ = try reader.string(entityField)
            let decoded = try handler.decode(type: event.type, data: reader)
            if let field = NullCharacterCheck.field(in: event, value: message.value) {
                return .unstorable(envelope, valueHash: hash, field: field)
            }
            return .event(envelope, valueHash: hash, laterFailure: nil, decoded: decoded)
        } catch {
            return later(.invalidData, error.description)
        }
    }

    /// The store-free checks of some messages, done ahead of their transaction (on another thread, while the
    /// previous batch commits). `process` uses them for the leading messages of its batch that they are for.
    public struct PreparedBatch: Sendable {
        /// Where each prepared message was read from: (topic, partition, offset) names a message's bytes.
        let positions: [(topic: String, partition: Int32, offset: Int64)]
        let messages: [PreparedMessage<Handler.Event>]

        /// How many of the messages passed every check that needs no store.
        public var validEventCount: Int {
            messages.reduce(0) { count, prepared in
                if case .event(_, _, nil, _) = prepared { return count + 1 }
                return count
            }
        }

        /// How many leading messages of `batch` these checks are for: the batch may have grown since, or,
        /// after a rebalance or a failed attempt, start elsewhere.
        func coveredPrefix(of batch: [ConsumedMessage]) -> Int {
            var covered = 0
            for (position, message) in zip(positions, batch) {
                guard position.offset == message.offset, position.partition == message.partition, position.topic == message.topic else { break }
                covered += 1
            }
            return covered
        }
    }

    /// Prepares messages ahead of their transaction, on the calling thread only, a chunk at a time until
    /// `enough` says to stop (the running transaction is done: the rest is checked while the next one runs).
    public func prepareAhead(_ messages: [ConsumedMessage], until enough: () -> Bool = { false }) -> PreparedBatch {
        var positions: [(topic: String, partition: Int32, offset: Int64)] = []
        var prepared: [PreparedMessage<Handler.Event>] = []
        positions.reserveCapacity(messages.count)
        prepared.reserveCapacity(messages.count)
        for message in messages {
            if prepared.count % Self.checkChunk == 0 && enough() { break }
            positions.append((message.topic, message.partition, message.offset))
            prepared.append(prepare(message))
        }
        return PreparedBatch(positions: positions, messages: prepared)
    }

    // MARK: - Inside the transaction

    /// The runtime's ledger and the domain's records, both opened once per transaction.
    private struct Ledgers<Outcomes: OutcomeLedger> {
        let outcomes: Outcomes
        let records: Handler.Records
    }

    /// Gives each message its outcome inside the open transaction; `ahead` holds the store-free checks
    /// when they were done before (used for the leading messages of the batch they cover). With
    /// `deadLetteringAs`, every message is dead-lettered with that reason and detail without being handled
    /// (the worker itself cannot process it: `PROCESSING_FAILED`, `WORKER_CRASHED`).
    public func process(_ messages: [ConsumedMessage], ahead: PreparedBatch? = nil, deadLetteringAs forced: (reason: DeadLetterReason, detail: String)? = nil,
                        in transaction: StoreTransaction) throws -> BatchResult {
        let records = try handler.records(in: transaction, identity: identityKey, memo: memo)
        // One choice per batch of the engine's ledger, so that the calls for each message are direct.
        switch transaction.engine {
        case .sqlite:
            return try process(messages, ahead: ahead, deadLetteringAs: forced, Ledgers(outcomes: try SQLiteOutcomeLedger(try transaction.sqlite), records: records))
        case .postgresql:
            return try process(messages, ahead: ahead, deadLetteringAs: forced, Ledgers(outcomes: PostgresOutcomeLedger(try transaction.postgres), records: records))
        }
    }

    private func process<Outcomes: OutcomeLedger>(_ messages: [ConsumedMessage], ahead: PreparedBatch?, deadLetteringAs forced: (reason: DeadLetterReason, detail: String)?,
                                                  _ statements: Ledgers<Outcomes>) throws -> BatchResult {
        var result = BatchResult()
        result.clock = try statements.outcomes.businessClock() ?? .min
        result.clockLimit = Int64(Date().timeIntervalSince1970 * 1_000_000) + 86_400_000_000
        let covered = forced == nil ? ahead?.coveredPrefix(of: messages) ?? 0 : messages.count
        // Messages not checked ahead are checked on another thread, chunk by chunk, as the writer goes.
        let rest = covered < messages.count
            ? CheckPipeline(messages[covered...], chunkSize: Self.checkChunk, queue: checkQueue) { [self] in prepare($0) } : nil
        let renderer = renderer
        let pipeline = OutboxRenderPipeline<PendingOutbox>(queue: renderQueue, rowPerPartition: statements.outcomes.outboxRowPerPartition) { item in
            switch item {
            case .notification(let notification, let context): (renderer.record(for: notification, causedBy: context), context.partition)
            case .record(let record, let partition): (record, partition)
            }
        }
        // Messages and their checks are read in place through pointers: a copy of each (retains and
        // releases of strings and arrays that other threads made and the writer otherwise never touches)
        // would cost the writer, the worker's bottleneck, for nothing.
        let checkedAhead = ahead?.messages ?? []
        try messages.withUnsafeBufferPointer { messages in try checkedAhead.withUnsafeBufferPointer { checkedAhead in
            guard let first = messages.baseAddress else { return }
            let prefetching = forced == nil && statements.outcomes.prefetchesEventIDs
            var prefetchedUpTo = 0
            for index in messages.indices {
                let message = first + index
                if prefetching && index >= prefetchedUpTo {
                    // The next window's event ids, and the rows its events will read, in a few statements
                    // (their checks are done or soon will be: the writer needs them next anyway).
                    prefetchedUpTo = min(messages.count, index + Self.checkChunk)
                    var ids: [String] = []
                    var events: [Handler.Event] = []
                    ids.reserveCapacity(prefetchedUpTo - index)
                    events.reserveCapacity(prefetchedUpTo - index)
                    for ahead in index..<prefetchedUpTo {
                        let checked = ahead < covered ? checkedAhead.baseAddress.map { $0 + ahead } : rest?.checkedMessage(at: ahead - covered)
                        if let checked, case .event(let event, _, let laterFailure, let decoded) = checked.pointee, laterFailure == nil {
                            ids.append(event.id)
                            if let decoded { events.append(decoded) }
                        }
                    }
                    try statements.outcomes.prefetch(eventIDs: ids)
                    try handler.readAhead(events, records: statements.records)
                }
                if let forced {
                    let unhandled = PreparedMessage<Handler.Event>.deadLetter(forced.reason, detail: forced.detail, eventID: Self.eventID(of: prepare(message.pointee)))
                    try withUnsafePointer(to: unhandled) { try process(message, $0, statements, into: &result) }
                } else if index < covered, let checked = checkedAhead.baseAddress {
                    try process(message, checked + index, statements, into: &result)
                } else if let rest {
                    try process(message, rest.checkedMessage(at: index - covered), statements, into: &result)
                } else {
                    // Not reached: `rest` covers every message after `covered`.
                    try withUnsafePointer(to: prepare(message.pointee)) { try process(message, $0, statements, into: &result) }
                }
                result.advance(message)
                if result.pending.count >= Self.renderChunk {
                    // Rendered on another thread while this one goes on with the batch.
                    pipeline.submit(result.pending)
                    result.pending = []
                    result.pending.reserveCapacity(Self.renderChunk + 16)
                }
            }
        } }
        pipeline.submit(result.pending)
        result.pending = []
        result.flushOutcomeRun()
        result.flushOffsetRun()
        if result.clock > .min {
            // Forgets ids and outcomes past the retention in steps of at least twice the batch, so that a steady
            // stream is kept up with.
            let cutoff = eventIDRetention.map { result.clock - $0.components.seconds * 1_000_000 }
            try statements.outcomes.advance(clock: result.clock, forgettingBefore: cutoff, limit: max(1_000, 2 * messages.count))
        }
        // Nothing in the batch reads the outbox, so its rows can be written last, in input order.
        for part in pipeline.finish() {
            result.outbox.append(try statements.outcomes.appendOutbox(part.packed, records: part.records, partition: part.partition))
        }
        // Checks done here are let go of on the engine's thread, not on this one.
        result.checkedHere = rest
        return result
    }

    /// The CloudEvent id the checks read from a message, if any.
    private static func eventID(of preparation: PreparedMessage<Handler.Event>) -> String? {
        switch preparation {
        case .deadLetter(_, _, let eventID): eventID
        case .event(let event, _, _, _), .unstorable(let event, _, _): event.id
        }
    }

    /// Outbox messages handed to the rendering thread at a time.
    static var renderChunk: Int { 512 }
    /// Messages checked at a time for the writer when they were not checked ahead.
    static var checkChunk: Int { 256 }

    private func process<Outcomes: OutcomeLedger>(_ message: UnsafePointer<ConsumedMessage>, _ preparation: UnsafePointer<PreparedMessage<Handler.Event>>, _ statements: Ledgers<Outcomes>,
                         into result: inout BatchResult) throws {
        switch preparation.pointee {
        case .deadLetter(let reason, let detail, let eventID):
            try deadLetter(message, statements, reason: reason, detail: detail, eventID: eventID, eventType: nil, seenAt: result.seenWithoutEventTime, into: &result)
        case .unstorable(let event, let hash, let field):
            // A repeat or a conflict outranks the failure, as for the checks after the id check.
            if !event.id.utf8.contains(0), let earlier = try statements.outcomes.earlierHash(of: event.id) {
                let seenAt = min(event.time.epochMicroseconds, result.clockLimit)
                try repeatedID(message, event: event, hash: hash, earlierHash: earlier, seenAt: seenAt, statements, into: &result)
                return
            }
            throw PoisonMessageError("\(field) holds the character U+0000, which the store cannot keep as it was sent")
        case .event(let event, let hash, let laterFailure, let decoded):
            // Rows are kept by the event's own time, so a replay keeps and forgets the same ones.
            let seenAt = min(event.time.epochMicroseconds, result.clockLimit)
            result.clock = max(result.clock, seenAt)
            if let (reason, detail) = laterFailure {
                // The id check comes first: a repeat or a conflict outranks the later failure.
                if let earlier = try statements.outcomes.earlierHash(of: event.id) {
                    try repeatedID(message, event: event, hash: hash, earlierHash: earlier, seenAt: seenAt, statements, into: &result)
                } else {
                    try deadLetter(message, statements, reason: reason, detail: detail, eventID: event.id, eventType: event.type, seenAt: seenAt, into: &result)
                }
                return
            }
            // Claim the id (the claim is also the outcome row); if it was taken, this is a repeat or a conflict.
            let claimed = try statements.outcomes.claim(eventID: event.id, valueHash: hash, topic: message.pointee.topic, partition: message.pointee.partition,
                                                        offset: message.pointee.offset, eventType: event.type, seenAt: seenAt)
            if !claimed {
                let earlier = try statements.outcomes.earlierHash(of: event.id) ?? []
                try repeatedID(message, event: event, hash: hash, earlierHash: earlier, seenAt: seenAt, statements, into: &result)
                return
            }
            guard let decoded else { return }
            let context = EventContext(event: event, partition: message.pointee.partition, offset: message.pointee.offset)
            switch try handler.apply(decoded, context: context, records: statements.records) {
            case .applied(let notifications):
                // The type is one of the handler's: it passed that check.
                result.count(OutcomeKey(outcome: .applied, eventType: event.type))
                for notification in notifications { result.pending.append(.notification(notification, context)) }
            case .rejected(let reasonCode, let detail, let notices):
                try statements.outcomes.markRejected(eventID: event.id, reasonCode: reasonCode, detail: detail)
                result.count(OutcomeKey(outcome: .rejected, eventType: event.type))
                result.pending.append(.notification(NotificationRenderer.rejection(context: context, reasonCode: reasonCode, detail: detail), context))
                for notice in notices { result.pending.append(.notification(notice, context)) }
            case .duplicate(let detail):
                // A repeat the domain recognises does not take the event id.
                try statements.outcomes.release(eventID: event.id)
                try recordOutcome(message, statements, eventID: event.id, eventType: event.type, outcome: .duplicate, reason: nil, detail: detail,
                                  seenAt: seenAt, into: &result)
            }
        }
    }

    /// An event whose id an applied or rejected event already took: a duplicate when the bytes match.
    private func repeatedID<Outcomes: OutcomeLedger>(_ message: UnsafePointer<ConsumedMessage>, event: CloudEvent, hash: [UInt8], earlierHash: [UInt8], seenAt: Int64, _ statements: Ledgers<Outcomes>, into result: inout BatchResult) throws {
        if earlierHash == hash {
            try recordOutcome(message, statements, eventID: event.id, eventType: event.type, outcome: .duplicate, reason: nil, detail: nil, seenAt: seenAt, into: &result)
        } else {
            try deadLetter(message, statements, reason: .eventIDConflict, detail: "event id \(event.id) was already used by an event with different content",
                           eventID: event.id, eventType: event.type, seenAt: seenAt, into: &result)
        }
    }

    /// Records the outcome of a message that took no event id: a duplicate or a dead letter.
    private func recordOutcome<Outcomes: OutcomeLedger>(
        _ message: UnsafePointer<ConsumedMessage>, _ statements: Ledgers<Outcomes>, eventID: String?, eventType: String?, outcome: MessageOutcome, reason: String?, detail: String?,
        seenAt: Int64, into result: inout BatchResult
    ) throws {
        try statements.outcomes.recordOutcome(topic: message.pointee.topic, partition: message.pointee.partition, offset: message.pointee.offset, eventID: eventID,
                                              eventType: eventType, outcome: outcome, reasonCode: reason, detail: detail, seenAt: seenAt)
        count(outcome: outcome, eventType: eventType, into: &result)
    }

    private func count(outcome: MessageOutcome, eventType: String?, into result: inout BatchResult) {
        let type = eventType.flatMap { eventTypes.contains($0) ? $0 : nil } ?? "unknown"
        result.count(OutcomeKey(outcome: outcome, eventType: type))
    }

    private func deadLetter<Outcomes: OutcomeLedger>(
        _ message: UnsafePointer<ConsumedMessage>, _ statements: Ledgers<Outcomes>, reason: DeadLetterReason, detail: String, eventID: String?, eventType: String?,
        seenAt: Int64, into result: inout BatchResult
    ) throws {
        try recordOutcome(message, statements, eventID: eventID, eventType: eventType, outcome: .deadLettered, reason: reason.rawValue, detail: detail,
                          seenAt: seenAt, into: &result)
        // The original headers first, in their order, so that a redrive sends exactly what was sent.
        var headers = message.pointee.headers
        headers += [
            KafkaHeader("dlq-reason", reason.rawValue), KafkaHeader("dlq-detail", detail),
            KafkaHeader("dlq-topic", message.pointee.topic), KafkaHeader("dlq-partition", String(message.pointee.partition)),
            KafkaHeader("dlq-offset", String(message.pointee.offset)), KafkaHeader("dlq-worker", handler.workerName),
        ]
        if let eventID, !eventID.isEmpty { headers.append(KafkaHeader("dlq-event-id", eventID)) }
        let copy = ProducerRecord(topic: deadLetterTopic, key: message.pointee.key, value: message.pointee.value, headers: headers)
        result.pending.append(.record(copy, partition: message.pointee.partition))
        result.deadLetters[reason, default: 0] += 1
        if result.recentDeadLetters.count >= 2 * StatusBoard.recentLimit { result.recentDeadLetters.removeFirst(StatusBoard.recentLimit) }
        result.recentDeadLetters.append(StatusBoard.DeadLetterEntry(
            time: .distantPast, topic: message.pointee.topic, partition: message.pointee.partition, offset: message.pointee.offset,
            reason: reason.rawValue, detail: detail, eventID: eventID))
    }
}
