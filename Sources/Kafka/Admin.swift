import CRdKafka
import Foundation

/// A topic to create: its name, partitions, replication and topic-level configs (`retention.ms`, …).
public struct TopicSpecification: Sendable, Equatable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int
    public var configs: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// A topic as the cluster describes it.
public struct TopicDescription: Sendable, Equatable {
    public let name: String
    public let partitions: Int
    public let replicationFactor: Int
}

/// Cluster administration for ops tooling: list topics and create missing ones. Blocking.
/// Unchecked: its only state is the librdkafka handle, whose admin calls are thread-safe.
public final class Admin: @unchecked Sendable {
    nonisolated(unsafe) private let handle: OpaquePointer

    public init(configuration: KafkaConfiguration) throws(KafkaError) {
        handle = try makeClientHandle(RD_KAFKA_PRODUCER, conf: configuration.makeNative())
    }

    deinit { rd_kafka_destroy(handle) }

    /// The cluster's topics (internal ones, starting with `__`, left out), by name.
    public func describeTopics(timeout: Duration) throws(KafkaError) -> [String: TopicDescription] {
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        try KafkaError.check(rd_kafka_metadata(handle, 1, nil, &metadata, Int32(timeout.milliseconds)), "read cluster metadata")
        guard let metadata else { return [:] }
        defer { rd_kafka_metadata_destroy(metadata) }
        var result: [String: TopicDescription] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            guard let namePointer = topic.topic, topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            let name = String(cString: namePointer)
            if name.hasPrefix("__") { continue }
            let replicas = topic.partition_cnt > 0 ? Int(topic.partitions[0].replica_cnt) : 0
            result[name] = TopicDescription(name: name, partitions: Int(topic.partition_cnt), replicationFactor: replicas)
        }
        return result
    }

    /// Creates topics; the result says, per topic, whether the cluster created it.
    /// Throws when the request as a whole fails (for example a time-out waiting for the controller).
    public func createTopics(_ topics: [TopicSpecification], timeout: Duration) throws(KafkaError) -> [String: Result<Void, KafkaError>] {
        guard !topics.isEmpty else { return [:] }
        var errorText = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for spec in topics {
            guard let topic = rd_kafka_NewTopic_new(spec.name, Int32(spec.partitions), Int32(spec.replicationFactor), &errorText, errorText.count) else {
                throw .client("topic \(spec.name): \(text(ofCBuffer: errorText))")
            }
            newTopics.append(topic)
            for (key, value) in spec.configs.sorted(by: { $0.key < $1.key }) {
                try KafkaError.check(rd_kafka_NewTopic_set_config(topic, key, value), "topic \(spec.name) config \(key)")
            }
        }
        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, Int32(timeout.milliseconds), &errorText, errorText.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, Int32(timeout.milliseconds), &errorText, errorText.count)
        let queue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(queue) }
        rd_kafka_CreateTopics(handle, &newTopics, newTopics.count, options, queue)
        guard let event = rd_kafka_queue_poll(queue, Int32(timeout.milliseconds) + 2_000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, message: "no answer to CreateTopics")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(eventError, message: rd_kafka_event_error_string(event).map { String(cString: $0) })
        }
        var count = 0
        guard let result = rd_kafka_event_CreateTopics_result(event),
              let topicResults = rd_kafka_CreateTopics_result_topics(result, &count) else {
            throw .client("CreateTopics gave no result")
        }
        var outcome: [String: Result<Void, KafkaError>] = [:]
        for index in 0..<count {
            guard let topicResult = topicResults[index] else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let err = rd_kafka_topic_result_error(topicResult)
            outcome[name] = err == RD_KAFKA_RESP_ERR_NO_ERROR
                ? .success(())
                : .failure(KafkaError(err, message: rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) }))
        }
        return outcome
    }
}
