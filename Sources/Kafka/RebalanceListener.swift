/// What a consumer's owner is told when the group moves partitions, on the polling thread, inside `poll`.
///
/// `onAssign` chooses where each newly assigned partition starts (a worker's offsets live in its own
/// store, not in Kafka). `onRevoke` runs before the partitions are released: it gets the messages of those
/// partitions already taken from librdkafka but not yet returned by `poll` (the batch in hand), so the
/// owner can finish and commit them first. `lost` says the partitions may already belong to another
/// member (session expired), so commits for them may be rejected. Not `Sendable`: it runs only on the
/// thread that polls, so it may reach state only that thread owns.
public struct RebalanceListener {
    public var onAssign: (_ partitions: [TopicPartition]) -> [TopicPartition: StartOffset]
    public var onRevoke: (_ partitions: [TopicPartition], _ inFlight: [ConsumedMessage], _ lost: Bool) -> Void

    public init(
        onAssign: @escaping (_ partitions: [TopicPartition]) -> [TopicPartition: StartOffset],
        onRevoke: @escaping (_ partitions: [TopicPartition], _ inFlight: [ConsumedMessage], _ lost: Bool) -> Void
    ) {
        self.onAssign = onAssign
        self.onRevoke = onRevoke
    }
}
