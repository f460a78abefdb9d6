/// One documented configuration key: its dotted name, default and meaning. The environment variable
/// that overrides it is derived from the name (`batch.max_messages` → `WELFARE_BATCH_MAX_MESSAGES`).
public struct ConfigurationKey: Sendable, Equatable {
    public let name: String
    /// The default as text, or nil when the key has no default (required, or off when absent).
    public let defaultValue: String?
    public let help: String

    public init(_ name: String, default defaultValue: String?, _ help: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.help = help
    }

    /// The environment variable overriding this key.
    public var environmentVariable: String { ConfigurationKey.environmentVariable(for: name) }

    public static func environmentVariable(for name: String) -> String {
        "WELFARE_" + name.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// The prefix of environment variables passed through to librdkafka
    /// (`WELFARE_KAFKA_SASL_PASSWORD` → `sasl.password`; `__` stands for a literal `_`).
    public static let kafkaEnvironmentPrefix = "WELFARE_KAFKA_"
}
