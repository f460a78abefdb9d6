import Kafka

/// Names the messages each batch transaction handles while it runs, where whoever handles them next looks:
/// a process that dies in the middle leaves the names behind, so that the messages can be narrowed down to
/// the one that kills it (`WORKER_CRASHED`). `ProcessingMarker` is a file beside a SQLite store;
/// `PostgresProcessingMarker` keeps rows in a store several instances share, read by a partition's next owner.
public protocol CrashMarker: AnyObject, Sendable {
    /// Before a transaction: the messages it handles, and the deaths already counted against them.
    func begin(_ messages: [ConsumedMessage], crashes: Int)
    /// After the transaction, whatever its result.
    func end()
    /// What processes that died while handling messages of these partitions left, each death reported once.
    func left(in partitions: [TopicPartition]) -> [ProcessingMarker.Left]
}
