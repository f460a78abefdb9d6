import Kafka

/// The runtime's per-message bookkeeping inside a batch's transaction: event ids and their outcomes, the
/// outcomes of messages that took no id, and the outbox. One ledger serves one transaction; each engine has
/// its own (`SQLiteOutcomeLedger`), chosen by the message processor once per batch from the transaction's engine.
public protocol OutcomeLedger {
    /// Takes `eventID` for an event with outcome `applied` (until `markRejected`); false when an earlier
    /// event holds it. `seenAt` is the event's time (microseconds since the epoch), which the row is kept by.
    func claim(eventID: String, valueHash: [UInt8], topic: String, partition: Int32, offset: Int64, eventType: String, seenAt: Int64) throws -> Bool
    /// The content digest of the event holding `eventID`, if any.
    func earlierHash(of eventID: String) throws -> [UInt8]?
    /// Turns a claimed event's outcome into `rejected`.
    func markRejected(eventID: String, reasonCode: String, detail: String) throws
    /// Gives back a claimed id (the domain found a repeat under another id).
    func release(eventID: String) throws
    /// Records the outcome of a message that took no event id (a duplicate, a dead letter).
    func recordOutcome(topic: String, partition: Int32, offset: Int64, eventID: String?, eventType: String?, outcome: MessageOutcome,
                       reasonCode: String?, detail: String?, seenAt: Int64) throws
    /// Whether each outbox row must hold the messages of one input partition only (its owner delivers it).
    var outboxRowPerPartition: Bool { get }
    /// Writes packed outbox messages, caused by messages of input `partition` (the first's, unless rows are
    /// per partition), as a new row and returns it.
    func appendOutbox(_ packed: PackedMessages, records: [ProducerRecord], partition: Int32) throws -> OutboxRow
    /// The store's business clock: the latest event time it has seen, in microseconds since the epoch.
    func businessClock() throws -> Int64?
    /// Keeps `clock` as the store's business clock and forgets event ids and outcomes seen before `cutoff`
    /// (nil: keep everything), in steps of at least `limit` rows.
    func advance(clock: Int64, forgettingBefore cutoff: Int64?, limit: Int) throws
    /// Whether the ledger reads event ids a window of messages at a time (`prefetch`) before they are claimed.
    var prefetchesEventIDs: Bool { get }
    /// Learns which of the coming messages' event ids are taken, in one statement, so that claiming them
    /// needs no round trip of its own.
    func prefetch(eventIDs: [String]) throws
}

extension OutcomeLedger {
    public var prefetchesEventIDs: Bool { false }
    public func prefetch(eventIDs: [String]) throws {}
}
