import CRdKafka
import Foundation

/// librdkafka's mock cluster: real Kafka-protocol brokers on loopback inside this process.
///
/// Any client, in this process or another, reaches it at `bootstrapServers`. Topics are created with the
/// mock's own API (the Admin `CreateTopics` call is not implemented by the mock). The fault controls are
/// for tests: take a broker down and up, make requests fail, slow a broker down.
/// Unchecked: the mock cluster's calls are thread-safe in librdkafka, and `stopped` is read and written under `lock`.
public final class EmbeddedBroker: @unchecked Sendable {
    nonisolated(unsafe) private let handle: OpaquePointer
    nonisolated(unsafe) private let cluster: OpaquePointer
    private let lock = NSLock()
    private var stopped = false

    /// The brokers' `host:port` list, for `bootstrap.servers`.
    public let bootstrapServers: String
    /// The broker ids (1 … brokerCount).
    public let brokerIDs: [Int32]

    /// Starts `brokerCount` brokers on loopback.
    public init(brokerCount: Int = 1) throws(KafkaError) {
        let conf = try KafkaConfiguration(["log_level": "3"]).makeNative()
        rd_kafka_conf_set_log_cb(conf) { _, _, _, _ in }
        let handle = try makeClientHandle(RD_KAFKA_PRODUCER, conf: conf)
        guard let cluster = rd_kafka_mock_cluster_new(handle, Int32(brokerCount)) else {
            rd_kafka_destroy(handle)
            throw .client("cannot start the embedded broker")
        }
        self.handle = handle
        self.cluster = cluster
        self.bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
        self.brokerIDs = (1...max(brokerCount, 1)).map(Int32.init)
        EmbeddedBroker.disableNagleOnListeners(bootstrapServers: bootstrapServers)
    }

    /// Writes the bootstrap address and a newline to `path`, whole or not at all: a temporary file beside it,
    /// then a rename (Foundation's atomic write leaves a folder behind in /tmp on Linux each time).
    public func writeAddress(to path: String) throws {
        let temporary = path + ".\(getpid()).tmp"
        try Data((bootstrapServers + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: temporary)
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    /// Creates a topic (an existing one is left as it is).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws(KafkaError) {
        try KafkaError.check(
            rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replicationFactor)),
            "create topic \(name)")
    }

    /// Makes a broker the leader of a partition (clients learn of it with their next metadata request).
    public func setPartitionLeader(topic: String, partition: Int32, brokerID: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerID), "move the leader of \(topic) [\(partition)]")
    }

    /// Makes a broker refuse connections (and drop the ones it has) until `setBrokerUp`.
    public func setBrokerDown(_ brokerID: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_down(cluster, brokerID), "take broker \(brokerID) down")
    }

    /// Brings a broker taken down back.
    public func setBrokerUp(_ brokerID: Int32) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_up(cluster, brokerID), "bring broker \(brokerID) up")
    }

    /// Adds a round-trip delay to every response of a broker.
    public func setRoundTripTime(_ brokerID: Int32, milliseconds: Int) throws(KafkaError) {
        try KafkaError.check(rd_kafka_mock_broker_set_rtt(cluster, brokerID, Int32(milliseconds)), "set RTT")
    }

    /// Makes the next requests of one API (by Kafka API key, e.g. 0 = Produce, 1 = Fetch) fail with these
    /// error codes, one per request, in order.
    public func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        let codes = errors.map { rd_kafka_resp_err_t(rawValue: $0) }
        codes.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, apiKey, buffer.count, buffer.baseAddress)
        }
    }

    /// Forgets request errors pushed for one API.
    public func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }

    /// Stops the brokers; clients still connected see them go away.
    public func shutdown() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        rd_kafka_mock_cluster_destroy(cluster)
        rd_kafka_destroy(handle)
    }

    deinit { shutdown() }

    /// The mock cluster does not set `TCP_NODELAY` on the connections it accepts, so a client with several
    /// requests in flight waits ~40 ms (Nagle against delayed ACK) for the last answer. Linux copies
    /// `TCP_NODELAY` from a listening socket to the sockets it accepts, so set it on the listeners.
    private static func disableNagleOnListeners(bootstrapServers: String) {
        let ports = Set(bootstrapServers.split(separator: ",").compactMap { $0.split(separator: ":").last.flatMap { UInt16($0) } })
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let fd = Int32(entry) else { continue }
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let named = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
            }
            guard named == 0, address.sin_family == sa_family_t(AF_INET), ports.contains(UInt16(bigEndian: address.sin_port)) else {
                continue
            }
            var listening: Int32 = 0
            var optionLength = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optionLength) == 0, listening != 0 else { continue }
            var on: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }
}
