import CRdKafka

/// One partition of one topic.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let topic: String
    public let partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }

    public var description: String { "\(topic)[\(partition)]" }
}

/// Where a consumer starts reading an assigned partition.
public enum StartOffset: Hashable, Sendable {
    /// The given offset (the next message to read).
    case offset(Int64)
    /// The oldest message still kept.
    case beginning
    /// Only messages produced from now on.
    case end
    /// The offset committed to Kafka for the group, else `auto.offset.reset`.
    case committed

    var native: Int64 {
        switch self {
        case .offset(let value): value
        case .beginning: Int64(RD_KAFKA_OFFSET_BEGINNING)
        case .end: Int64(RD_KAFKA_OFFSET_END)
        case .committed: Int64(RD_KAFKA_OFFSET_INVALID)
        }
    }
}

/// Helpers to move between Swift values and `rd_kafka_topic_partition_list_t`.
enum PartitionList {
    /// Makes a native list; the caller destroys it.
    static func make(_ entries: [(TopicPartition, Int64)]) -> UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
        let list = rd_kafka_topic_partition_list_new(Int32(max(entries.count, 1)))!
        for (tp, offset) in entries {
            let element = rd_kafka_topic_partition_list_add(list, tp.topic, tp.partition)!
            element.pointee.offset = offset
        }
        return list
    }

    /// Reads a native list as (partition, offset, error) triples.
    static func read(_ list: UnsafePointer<rd_kafka_topic_partition_list_t>) -> [(TopicPartition, Int64, rd_kafka_resp_err_t)] {
        var result: [(TopicPartition, Int64, rd_kafka_resp_err_t)] = []
        result.reserveCapacity(Int(list.pointee.cnt))
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            let topic = element.topic.map { String(cString: $0) } ?? ""
            result.append((TopicPartition(topic, element.partition), element.offset, element.err))
        }
        return result
    }

    /// Runs `body` with a temporary native list.
    static func with<T, E: Error>(
        _ entries: [(TopicPartition, Int64)],
        _ body: (UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) throws(E) -> T
    ) throws(E) -> T {
        let list = make(entries)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return try body(list)
    }
}
