import Foundation
import Yams

/// A worker's configuration: one YAML file, every key overridable by an environment variable, and
/// a `kafka:` section passed through to librdkafka unchanged. Every problem names the key.
public struct WorkerConfiguration: Sendable {
    /// Scalar and list values by dotted key (`store.path`, `domain.star_thresholds_hours`).
    public private(set) var values: [String: [String]]
    /// librdkafka properties from the `kafka:` section and `WELFARE_KAFKA_*` variables.
    public private(set) var kafkaProperties: [String: String]
    /// Where each value came from, for error messages.
    private var origins: [String: String]
    public let knownKeys: [ConfigurationKey]

    /// Reads `path` (if any), then applies environment overrides. Keys outside `knownKeys` are refused
    /// (a typo should not be silently ignored).
    public static func load(path: String?, environment: [String: String], knownKeys: [ConfigurationKey]) throws -> WorkerConfiguration {
        var configuration = WorkerConfiguration(values: [:], kafkaProperties: [:], origins: [:], knownKeys: knownKeys)
        if let path {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ConfigurationError("cannot read config file \(path): \(error.localizedDescription)")
            }
            try configuration.merge(yaml: text, origin: path)
        }
        configuration.applyEnvironment(environment)
        try configuration.checkKnownKeys()
        return configuration
    }

    /// Parses YAML text into the configuration (used by `load`, and by tests).
    public mutating func merge(yaml text: String, origin: String) throws {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError("\(origin): not valid YAML: \(error)")
        }
        guard let node else { return }
        guard case .mapping(let mapping) = node else { throw ConfigurationError("\(origin): the top level must be a mapping of sections") }
        try flatten(mapping, prefix: "", origin: origin)
    }

    private mutating func flatten(_ mapping: Node.Mapping, prefix: String, origin: String) throws {
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.string else { throw ConfigurationError("\(origin): a key under \(prefix.isEmpty ? "the top level" : prefix) is not text") }
            let name = prefix.isEmpty ? key : "\(prefix).\(key)"
            if name.hasPrefix("kafka.") {
                try flattenKafka(valueNode, property: String(name.dropFirst("kafka.".count)), origin: origin)
                continue
            }
            switch valueNode {
            case .mapping(let nested):
                if name == "kafka" {
                    for (propertyNode, propertyValue) in nested {
                        guard let property = propertyNode.string else { continue }
                        try flattenKafka(propertyValue, property: property, origin: origin)
                    }
                } else {
                    try flatten(nested, prefix: name, origin: origin)
                }
            case .sequence(let sequence):
                values[name] = try sequence.map { element in
                    guard let text = element.string else { throw ConfigurationError("\(origin): \(name) must be a list of plain values") }
                    return text
                }
                origins[name] = origin
            case .scalar(let scalar):
                if scalar.string == "~" || (scalar.string.isEmpty && scalar.style == .plain) || scalar.string == "null" {
                    values[name] = nil
                } else {
                    values[name] = [scalar.string]
                }
                origins[name] = origin
            case .alias:
                throw ConfigurationError("\(origin): \(name) uses a YAML alias, which is not supported")
            }
        }
    }

    private mutating func flattenKafka(_ node: Node, property: String, origin: String) throws {
        switch node {
        case .scalar(let scalar):
            if scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" {
                kafkaProperties[property] = nil
            } else {
                kafkaProperties[property] = scalar.string
            }
        case .mapping(let nested):
            for (childNode, childValue) in nested {
                guard let child = childNode.string else { continue }
                try flattenKafka(childValue, property: "\(property).\(child)", origin: origin)
            }
        default:
            throw ConfigurationError("\(origin): kafka.\(property) must be a plain value")
        }
    }

    private mutating func applyEnvironment(_ environment: [String: String]) {
        var byVariable: [String: String] = [:]
        for key in knownKeys { byVariable[key.environmentVariable] = key.name }
        for (variable, value) in environment {
            if variable.hasPrefix(ConfigurationKey.kafkaEnvironmentPrefix) {
                let property = String(variable.dropFirst(ConfigurationKey.kafkaEnvironmentPrefix.count))
                    .lowercased().replacingOccurrences(of: "__", with: "\u{0}")
                    .replacingOccurrences(of: "_", with: ".").replacingOccurrences(of: "\u{0}", with: "_")
                kafkaProperties[property] = value.isEmpty ? nil : value
            } else if let name = byVariable[variable] {
                values[name] = value.isEmpty ? nil : value.split(separator: ",", omittingEmptySubsequences: false).map {
                    $0.trimmingCharacters(in: .whitespaces)
                }
                origins[name] = "environment variable \(variable)"
            }
        }
    }

    private func checkKnownKeys() throws {
        let known = Set(knownKeys.map(\.name))
        for name in values.keys.sorted() where !known.contains(name) {
            throw ConfigurationError("\(origins[name] ?? "config"): unknown key \(name)")
        }
    }

    /// Sets a value (command-line flags win over the file and the environment).
    public mutating func set(_ name: String, to value: String, origin: String) {
        values[name] = [value]
        origins[name] = origin
    }

    /// Sets a librdkafka property.
    public mutating func setKafka(_ property: String, to value: String?) {
        kafkaProperties[property] = value
    }

    // MARK: - Typed reads

    private func raw(_ name: String) -> [String]? {
        if let value = values[name] { return value }
        return knownKeys.first { $0.name == name }?.defaultValue.map { [$0] }
    }

    private func where_(_ name: String) -> String {
        "\(name) (from \(origins[name] ?? "its default"); environment variable \(ConfigurationKey.environmentVariable(for: name)))"
    }

    /// A required or defaulted text value.
    public func string(_ name: String) throws -> String {
        guard let value = raw(name)?.first else { throw ConfigurationError("\(name) is required; set it in the config file or \(ConfigurationKey.environmentVariable(for: name))") }
        return value
    }

    /// A text value, or nil when absent and without default.
    public func optionalString(_ name: String) -> String? {
        raw(name)?.first.flatMap { $0.isEmpty ? nil : $0 }
    }

    public func integer(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        let text = try string(name)
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(value) else {
            throw ConfigurationError("\(where_(name)) must be a whole number between \(range.lowerBound) and \(range.upperBound), not \(text)")
        }
        return value
    }

    public func bool(_ name: String) throws -> Bool {
        let text = try string(name)
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: throw ConfigurationError("\(where_(name)) must be true or false, not \(text)")
        }
    }

    /// A duration given in milliseconds.
    public func milliseconds(_ name: String, in range: ClosedRange<Int> = 0...86_400_000) throws -> Duration {
        .milliseconds(try integer(name, in: range))
    }

    /// One of the listed values.
    public func choice(_ name: String, _ choices: [String]) throws -> String {
        let text = try string(name)
        guard choices.contains(text) else { throw ConfigurationError("\(where_(name)) must be one of \(choices.joined(separator: ", ")), not \(text)") }
        return text
    }

    /// A list of whole numbers (YAML list, or comma-separated in an environment variable).
    public func integerList(_ name: String) throws -> [Int] {
        let texts = values[name] ?? knownKeys.first { $0.name == name }?.defaultValue.map {
            $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        } ?? []
        return try texts.map { text in
            guard let value = Int(text) else { throw ConfigurationError("\(where_(name)) must be a list of whole numbers, not \(text)") }
            return value
        }
    }
}

/// A configuration problem; the message names the key (and where its value came from).
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
