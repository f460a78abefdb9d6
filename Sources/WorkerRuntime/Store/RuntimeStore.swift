import Kafka

/// The runtime's own storage in a worker's store, whatever engine keeps it: one write transaction per batch
/// (the domain's effects, the ledger of outcomes, the outbox and the next offsets together), the offsets to
/// start from, and the outbox rows still to deliver.
///
/// Offsets and outbox rows are kept per partition of the input topic, so that an engine shared by several
/// instances can tie them to the partition's current owner.
public protocol RuntimeStore: AnyObject, Sendable {
    /// Where the store is, as an operator would name it (never with a password).
    var location: String { get }
    /// Where batch transactions name the messages they handle while they run (`CrashMarker`).
    func makeCrashMarker() throws -> any CrashMarker

    /// Makes this instance the owner of newly assigned partitions before it reads where they start. An
    /// engine shared by several instances raises each partition's owner epoch here and fences every later
    /// batch transaction on it (`saveNextOffsets` fails once another instance took the partition); an
    /// engine with one process per store has nothing to do.
    func takeOwnership(of partitions: [TopicPartition]) throws
    /// Forgets partitions the consumer group took away: their outbox rows are no longer this instance's to
    /// deliver, and a batch saving their offsets is fenced.
    func releaseOwnership(of partitions: [TopicPartition])
    /// The partitions this instance owns with the epoch it took each with (empty for an engine without epochs).
    var ownedPartitions: [TopicPartition: Int64] { get }

    /// Runs `body` in one write transaction: committed when it returns, rolled back when it throws. Blocks.
    func write<Result>(_ body: (StoreTransaction) throws -> Result) throws -> Result
    /// Records where each partition resumes, inside `transaction`.
    func saveNextOffsets(_ offsets: [TopicPartition: Int64], in transaction: StoreTransaction) throws
    /// Deletes delivered outbox rows inside `transaction`.
    func deleteDelivered(_ seqs: [Int64], in transaction: StoreTransaction) throws

    /// The committed next offset of each partition of `topic` that has one.
    func nextOffsets(topic: String) throws -> [Int32: Int64]
    /// Outbox rows still waiting after a sequence number, oldest first.
    func pendingOutbox(after seq: Int64, limit: Int) throws -> OutboxPage
    /// These outbox rows, if still waiting, oldest first.
    func pendingOutbox(only seqs: Set<Int64>) throws -> OutboxPage
    /// Moves outbox rows that cannot be read out of the way, kept for a person to look at.
    func setAside(_ seqs: [Int64]) throws
}

extension RuntimeStore {
    public func releaseOwnership(of partitions: [TopicPartition]) {}
    public var ownedPartitions: [TopicPartition: Int64] { [:] }

    /// Deletes delivered outbox rows in a transaction of their own.
    public func deleteDelivered(_ seqs: [Int64]) throws {
        guard !seqs.isEmpty else { return }
        try write { try deleteDelivered(seqs, in: $0) }
    }
}

/// Outbox rows read back from a store, and the numbers of rows that could not be read as packed messages.
public struct OutboxPage: Sendable {
    public var rows: [OutboxRow]
    public var corrupt: [Int64]

    public init(rows: [OutboxRow], corrupt: [Int64]) {
        self.rows = rows
        self.corrupt = corrupt
    }
}
