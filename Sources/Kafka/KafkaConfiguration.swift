import CRdKafka

/// librdkafka properties (`bootstrap.servers`, `security.protocol`, `sasl.*`, …) passed through as given.
///
/// Any property librdkafka knows can be set; an unknown key or bad value fails when a client is made,
/// with an error naming the key.
public struct KafkaConfiguration: Sendable, Equatable {
    /// The properties, by librdkafka's own names.
    public var properties: [String: String]

    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    /// The value of one property.
    public subscript(key: String) -> String? {
        get { properties[key] }
        set { properties[key] = newValue }
    }

    /// A copy with `defaults` filled in wherever this configuration does not set the key.
    public func withDefaults(_ defaults: [String: String]) -> KafkaConfiguration {
        KafkaConfiguration(properties.merging(defaults) { own, _ in own })
    }

    /// Properties only a consumer understands (librdkafka warns when a producer is given them).
    static let consumerOnlyProperties: Set<String> = [
        "group.id", "group.instance.id", "session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy",
        "group.protocol.type", "coordinator.query.interval.ms", "max.poll.interval.ms", "enable.auto.commit",
        "auto.commit.interval.ms", "enable.auto.offset.store", "queued.min.messages", "queued.max.messages.kbytes",
        "fetch.wait.max.ms", "fetch.message.max.bytes", "max.partition.fetch.bytes", "fetch.max.bytes", "fetch.min.bytes",
        "fetch.error.backoff.ms", "isolation.level", "enable.partition.eof", "check.crcs", "auto.offset.reset",
    ]

    /// A copy without the consumer-only properties, for a producer or admin client.
    public var forProducer: KafkaConfiguration {
        KafkaConfiguration(properties.filter { !KafkaConfiguration.consumerOnlyProperties.contains($0.key) })
    }

    /// Builds a native `rd_kafka_conf_t`; the caller owns it until it is handed to `rd_kafka_new`.
    func makeNative() throws(KafkaError) -> OpaquePointer {
        guard let conf = rd_kafka_conf_new() else { throw .client("rd_kafka_conf_new failed") }
        var errorText = [CChar](repeating: 0, count: 512)
        // Sorted so that a configuration error is reported the same way every time.
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            let result = rd_kafka_conf_set(conf, key, value, &errorText, errorText.count)
            if result != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let detail = text(ofCBuffer: errorText)
                throw .client("invalid Kafka property '\(key)': \(detail)")
            }
        }
        return conf
    }
}

/// Creates an `rd_kafka_t` of the given type from a native configuration, consuming the configuration.
func makeClientHandle(_ type: rd_kafka_type_t, conf: OpaquePointer) throws(KafkaError) -> OpaquePointer {
    var errorText = [CChar](repeating: 0, count: 512)
    guard let handle = rd_kafka_new(type, conf, &errorText, errorText.count) else {
        rd_kafka_conf_destroy(conf)
        let detail = text(ofCBuffer: errorText)
        throw .client("cannot create Kafka client: \(detail)")
    }
    return handle
}
