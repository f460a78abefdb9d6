import Kafka

/// A batch tried to save offsets of a partition that another instance has taken since (its owner epoch
/// moved on): the transaction rolls back, and the instance works the partition no more once its consumer
/// hears of the revocation. Retried as a transient fault until then, never committed.
public struct PartitionFencedError: Error, CustomStringConvertible, Sendable {
    public let partition: TopicPartition
    /// The epoch this instance held, if it held one.
    public let heldEpoch: Int64?

    public init(partition: TopicPartition, heldEpoch: Int64?) {
        self.partition = partition
        self.heldEpoch = heldEpoch
    }

    public var description: String {
        "partition \(partition.topic)/\(partition.partition) was taken by another instance (this one held epoch \(heldEpoch.map(String.init) ?? "none")); its batch is rolled back"
    }
}
