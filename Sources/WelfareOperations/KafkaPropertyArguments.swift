import Kafka

/// The `--bootstrap-servers` and repeatable `--kafka KEY=VALUE` arguments the tools share, as a client
/// configuration (any librdkafka property, SASL/SSL included, passes through).
public enum KafkaPropertyArguments {
    /// The first argument that is not `KEY=VALUE`, if any.
    public static func malformed(_ properties: [String]) -> String? {
        properties.first { !$0.contains("=") || $0.hasPrefix("=") }
    }

    public static func configuration(bootstrapServers: String, properties: [String]) -> KafkaConfiguration {
        var values = ["bootstrap.servers": bootstrapServers]
        for property in properties {
            let parts = property.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            values[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return KafkaConfiguration(values)
    }
}
