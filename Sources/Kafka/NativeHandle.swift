import CRdKafka

/// A librdkafka pointer that may cross threads: librdkafka's handles are thread-safe where this binding
/// shares them, and the binding never hands one out.
struct NativeHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Reads a C error buffer filled by librdkafka.
func text(ofCBuffer buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The number of partitions of `topic`, from a metadata request by the client `handle` (blocking).
func readPartitionCount(_ handle: OpaquePointer, topic: String, timeout: Duration) throws(KafkaError) -> Int {
    guard let rkt = rd_kafka_topic_new(handle, topic, nil) else { throw .client("cannot make a handle for topic \(topic)") }
    defer { rd_kafka_topic_destroy(rkt) }
    var metadata: UnsafePointer<rd_kafka_metadata>? = nil
    try KafkaError.check(rd_kafka_metadata(handle, 0, rkt, &metadata, Int32(timeout.milliseconds)), "read metadata of \(topic)")
    guard let metadata else { throw .client("no metadata for topic \(topic)") }
    defer { rd_kafka_metadata_destroy(metadata) }
    guard metadata.pointee.topic_cnt > 0 else { throw .client("no metadata for topic \(topic)") }
    let entry = metadata.pointee.topics[0]
    try KafkaError.check(entry.err, "topic \(topic)")
    guard entry.partition_cnt > 0 else { throw KafkaError(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, message: "topic \(topic) has no partitions") }
    return Int(entry.partition_cnt)
}
