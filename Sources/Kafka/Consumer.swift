import CRdKafka
import Foundation
import Logging
import Synchronization

/// A Kafka consumer: in a group (`subscribe`) or on partitions it names itself (`assign`).
///
/// Every method that talks to librdkafka blocks; call them from one thread of your own (see
/// `DedicatedThread`), never from Swift's cooperative pool. Offsets are never committed behind the
/// caller's back: auto-commit and auto offset store are off unless the configuration turns them on.
/// Unchecked: librdkafka's consumer calls are thread-safe, `closed` is atomic, and the rest (topic names,
/// the rebalance coordinator) is touched only by the one thread that polls, as documented above.
public final class Consumer: @unchecked Sendable {
    /// The properties this binding sets unless the configuration says otherwise.
    public static let defaults: [String: String] = [
        "enable.auto.commit": "false",
        "enable.auto.offset.store": "false",
        "auto.offset.reset": "earliest",
        "enable.partition.eof": "false",
    ]

    nonisolated(unsafe) let handle: OpaquePointer
    let coordinator: RebalanceCoordinator
    private let coordinatorRetained: Unmanaged<RebalanceCoordinator>
    private let closed = Atomic<Bool>(false)
    /// Topic names by librdkafka topic handle, so a message's topic costs no allocation (polling thread only).
    private var topicNames: [OpaquePointer: String] = [:]
    /// Partition leaders by topic, as last read from the cluster (polling thread only; see `wakeFetchers`).
    var partitionLeaders: [String: [Int32: Int32]] = [:]

    /// Makes a consumer. `rebalance` hears of assignments and revocations in group mode; without it the
    /// consumer starts at the committed offsets (else `auto.offset.reset`). `onError` hears of errors
    /// that do not stop polling (a broker down, a failed fetch); fatal errors are thrown by `poll`.
    /// librdkafka's own log lines go to `logger`.
    public init(
        configuration: KafkaConfiguration,
        logger: Logger = Logger(label: "welfare.kafka.consumer"),
        rebalance: RebalanceListener? = nil,
        onError: @escaping @Sendable (KafkaError) -> Void = { _ in }
    ) throws(KafkaError) {
        var effective = configuration.withDefaults(Consumer.defaults)
        if effective["group.id"] == nil { effective["group.id"] = "welfare-unnamed-\(UUID().uuidString)" }
        let conf = try effective.makeNative()
        let coordinator = RebalanceCoordinator(listener: rebalance, onError: onError, logger: logger)
        let retained = Unmanaged.passRetained(coordinator)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        rd_kafka_conf_set_rebalance_cb(conf, consumerRebalanceTrampoline)
        rd_kafka_conf_set_error_cb(conf, consumerErrorTrampoline)
        rd_kafka_conf_set_log_cb(conf, kafkaLogTrampoline)
        let handle: OpaquePointer
        do {
            handle = try makeClientHandle(RD_KAFKA_CONSUMER, conf: conf)
        } catch {
            retained.release()
            throw error
        }
        rd_kafka_poll_set_consumer(handle)
        self.handle = handle
        self.coordinator = coordinator
        self.coordinatorRetained = retained
    }

    /// Joins the group and subscribes to the topics; partitions arrive through the rebalance listener.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        try PartitionList.with(topics.map { (TopicPartition($0, RD_KAFKA_PARTITION_UA), Int64(RD_KAFKA_OFFSET_INVALID)) }) {
            (list) throws(KafkaError) in
            try KafkaError.check(rd_kafka_subscribe(handle, list), "subscribe to \(topics)")
        }
    }

    /// Reads exactly these partitions from the given offsets, outside any group rebalancing.
    /// Loads the topics' metadata first: librdkafka 2.0.2 otherwise delays the first offset query of a
    /// partition whose leader is not yet known by 500 ms.
    public func assign(_ assignments: [TopicPartition: StartOffset]) throws(KafkaError) {
        for topic in Set(assignments.keys.map(\.topic)) { warmMetadata(topic: topic) }
        let entries = assignments.sorted { $0.key < $1.key }.map { ($0.key, $0.value.native) }
        try PartitionList.with(entries) { (list) throws(KafkaError) in
            try KafkaError.check(rd_kafka_assign(handle, list), "assign \(entries.map(\.0))")
        }
    }

    /// Asks the cluster for one topic's metadata so that its partition leaders are known (errors ignored).
    private func warmMetadata(topic: String) {
        guard let rkt = rd_kafka_topic_new(handle, topic, nil) else { return }
        defer { rd_kafka_topic_destroy(rkt) }
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        if rd_kafka_metadata(handle, 0, rkt, &metadata, 5_000) == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata {
            rd_kafka_metadata_destroy(metadata)
        }
    }

    /// How many partitions a topic has, from the cluster's metadata (throws when the topic is unknown).
    public func partitionCount(topic: String, timeout: Duration) throws(KafkaError) -> Int {
        try readPartitionCount(handle, topic: topic, timeout: timeout)
    }

    /// The partitions currently assigned to this consumer.
    public func assignment() throws(KafkaError) -> [TopicPartition] {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>? = nil
        try KafkaError.check(rd_kafka_assignment(handle, &list), "read assignment")
        guard let list else { return [] }
        defer { rd_kafka_topic_partition_list_destroy(list) }
        return PartitionList.read(list).map(\.0).sorted()
    }

    /// Waits up to `maxWait` for the first message, then takes what else is ready, up to `maxMessages`.
    /// Rebalance callbacks run inside this call. Throws only on a fatal client error.
    public func poll(maxMessages: Int, maxWait: Duration) throws(KafkaError) -> [ConsumedMessage] {
        let deadline = ContinuousClock.now.advanced(by: maxWait)
        coordinator.inFlight.reserveCapacity(maxMessages)
        // Wait for the first message (or the deadline); with no time to wait, take one if one is queued.
        repeat {
            let remaining = ContinuousClock.now.duration(to: deadline)
            try take(rd_kafka_consumer_poll(handle, remaining <= .zero ? 0 : Int32(clamping: max(1, remaining.milliseconds))))
        } while coordinator.inFlight.isEmpty && ContinuousClock.now < deadline
        // Then take only what is already queued, without reading the clock per message.
        while !coordinator.inFlight.isEmpty && coordinator.inFlight.count < maxMessages {
            guard let raw = rd_kafka_consumer_poll(handle, 0) else { break }
            try take(raw)
        }
        let batch = coordinator.inFlight
        coordinator.inFlight.removeAll(keepingCapacity: true)
        return batch
    }

    /// Converts one polled message into the batch, or reports its error; destroys it either way.
    private func take(_ raw: UnsafeMutablePointer<rd_kafka_message_t>?) throws(KafkaError) {
        guard let raw else { return }
        defer { rd_kafka_message_destroy(raw) }
        let err = raw.pointee.err
        if err == RD_KAFKA_RESP_ERR_NO_ERROR {
            coordinator.inFlight.append(convert(raw))
            return
        }
        if err != RD_KAFKA_RESP_ERR__PARTITION_EOF {
            coordinator.onError(KafkaError(err, message: errorText(raw)))
        }
        try throwIfFatal()
    }

    /// Stops fetching from these partitions until `resume`; messages already fetched are held back.
    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        try PartitionList.with(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }) { (list) throws(KafkaError) in
            try KafkaError.check(rd_kafka_pause_partitions(handle, list), "pause \(partitions)")
        }
    }

    /// Starts fetching from paused partitions again, where they stopped.
    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        try PartitionList.with(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }) { (list) throws(KafkaError) in
            try KafkaError.check(rd_kafka_resume_partitions(handle, list), "resume \(partitions)")
        }
    }

    /// Commits these offsets (each the next offset to read) for the group, without waiting for the answer.
    public func commitAsync(_ offsets: [TopicPartition: Int64]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        try PartitionList.with(offsets.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }) { (list) throws(KafkaError) in
            try KafkaError.check(rd_kafka_commit(handle, list, 1), "commit offsets")
        }
    }

    /// The group's committed offsets for these partitions (`nil` where none is committed).
    public func committedOffsets(_ partitions: [TopicPartition], timeout: Duration) throws(KafkaError) -> [TopicPartition: Int64?] {
        try PartitionList.with(partitions.map { ($0, Int64(RD_KAFKA_OFFSET_INVALID)) }) {
            (list) throws(KafkaError) -> [TopicPartition: Int64?] in
            try KafkaError.check(rd_kafka_committed(handle, list, Int32(timeout.milliseconds)), "read committed offsets")
            var result: [TopicPartition: Int64?] = [:]
            for (tp, offset, _) in PartitionList.read(list) { result[tp] = offset >= 0 ? offset : nil }
            return result
        }
    }

    /// Asks the partition leader for the low and high watermarks.
    public func queryWatermarks(_ partition: TopicPartition, timeout: Duration) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        try KafkaError.check(
            rd_kafka_query_watermark_offsets(handle, partition.topic, partition.partition, &low, &high, Int32(timeout.milliseconds)),
            "query watermarks of \(partition)")
        return (low, high)
    }

    /// The watermarks librdkafka last saw while fetching (no network call); `nil` before the first fetch.
    public func cachedWatermarks(_ partition: TopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1
        var high: Int64 = -1
        let err = rd_kafka_get_watermark_offsets(handle, partition.topic, partition.partition, &low, &high)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (low, high)
    }

    /// Leaves the group (revoking through the listener) and releases the client, waiting at most
    /// `timeout`: librdkafka 2.0.2's close can hang after a lost partition. Returns whether it finished.
    @discardableResult
    public func close(timeout: Duration = .seconds(10)) -> Bool {
        guard closed.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else {
            return true
        }
        let done = DispatchSemaphore(value: 0)
        let native = NativeHandle(pointer: handle)
        let retained = coordinatorRetained
        startThread(named: "consumer-close") {
            rd_kafka_consumer_close(native.pointer)
            rd_kafka_destroy(native.pointer)
            retained.release()
            done.signal()
        }
        return done.wait(timeout: .now() + .milliseconds(Int(timeout.milliseconds))) == .success
    }

    deinit { close(timeout: .seconds(2)) }

    private func throwIfFatal() throws(KafkaError) {
        var buffer = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &buffer, buffer.count)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            let detail = text(ofCBuffer: buffer)
            throw KafkaError(code, message: detail)
        }
    }

    private func errorText(_ raw: UnsafeMutablePointer<rd_kafka_message_t>) -> String? {
        rd_kafka_message_errstr(raw).map { String(cString: $0) }
    }

    private func convert(_ raw: UnsafeMutablePointer<rd_kafka_message_t>) -> ConsumedMessage {
        let message = raw.pointee
        let topic: String
        if let rkt = message.rkt {
            if let cached = topicNames[rkt] {
                topic = cached
            } else {
                topic = String(cString: rd_kafka_topic_name(rkt))
                topicNames[rkt] = topic
            }
        } else {
            topic = ""
        }
        let key = message.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: message.key_len)) }
        let value = message.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: message.len)) }
        var headers: [KafkaHeader] = []
        var native: OpaquePointer? = nil
        if rd_kafka_message_headers(raw, &native) == RD_KAFKA_RESP_ERR_NO_ERROR, let native {
            var index = 0
            var name: UnsafePointer<CChar>? = nil
            var bytes: UnsafeRawPointer? = nil
            var size = 0
            while rd_kafka_header_get_all(native, index, &name, &bytes, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
                let headerName = name.map { String(cString: $0) } ?? ""
                let headerValue = bytes.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: size)) }
                headers.append(KafkaHeader(name: headerName, value: headerValue))
                index += 1
            }
        }
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(raw, &timestampType)
        return ConsumedMessage(
            topic: topic, partition: message.partition, offset: message.offset, key: key, value: value,
            headers: headers, timestampMilliseconds: timestamp >= 0 ? timestamp : nil)
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}

private let consumerErrorTrampoline:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        _, code, reason, opaque in
        guard let opaque else { return }
        let coordinator = Unmanaged<RebalanceCoordinator>.fromOpaque(opaque).takeUnretainedValue()
        coordinator.onError(KafkaError(rd_kafka_resp_err_t(rawValue: code), message: reason.map { String(cString: $0) }))
    }
