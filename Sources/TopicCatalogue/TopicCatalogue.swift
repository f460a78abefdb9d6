import Foundation
import Kafka
import Yams

/// The machine-readable list of the project's topics (`topics/catalogue.yaml`).
public struct TopicCatalogue: Codable, Sendable, Equatable {
    /// Replication for a real cluster (the embedded broker always uses 1).
    public var replicationFactor: Int
    /// `min.insync.replicas` for a real cluster.
    public var minInsyncReplicas: Int
    public var topics: [TopicEntry]

    enum CodingKeys: String, CodingKey {
        case replicationFactor = "replication_factor"
        case minInsyncReplicas = "min_insync_replicas"
        case topics
    }

    public init(replicationFactor: Int, minInsyncReplicas: Int, topics: [TopicEntry]) {
        self.replicationFactor = replicationFactor
        self.minInsyncReplicas = minInsyncReplicas
        self.topics = topics
    }

    /// Reads and validates a catalogue file.
    public static func load(from path: String) throws -> TopicCatalogue {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw CatalogueError("cannot read topic catalogue \(path): \(error.localizedDescription)")
        }
        return try parse(text, origin: path)
    }

    /// Parses and validates catalogue YAML.
    public static func parse(_ yaml: String, origin: String = "catalogue") throws -> TopicCatalogue {
        let catalogue: TopicCatalogue
        do {
            catalogue = try YAMLDecoder().decode(TopicCatalogue.self, from: yaml)
        } catch {
            throw CatalogueError("\(origin): \(error)")
        }
        try catalogue.validate(origin: origin)
        return catalogue
    }

    /// The entry for a topic name.
    public func entry(named name: String) -> TopicEntry? { topics.first { $0.name == name } }

    /// The topics as a cluster should have them; `replicationFactor` overrides the catalogue's.
    public func specifications(replicationFactor: Int? = nil) -> [TopicSpecification] {
        let replication = replicationFactor ?? self.replicationFactor
        return topics.map { entry in
            var configs = ["retention.ms": String(Int64(entry.retentionDays) * 86_400_000)]
            if replication > 1 { configs["min.insync.replicas"] = String(min(minInsyncReplicas, replication)) }
            return TopicSpecification(name: entry.name, partitions: entry.partitions, replicationFactor: replication, configs: configs)
        }
    }

    private func validate(origin: String) throws {
        guard replicationFactor >= 1 else { throw CatalogueError("\(origin): replication_factor must be at least 1") }
        var seen: Set<String> = []
        for entry in topics {
            guard !entry.name.isEmpty else { throw CatalogueError("\(origin): a topic has an empty name") }
            guard seen.insert(entry.name).inserted else { throw CatalogueError("\(origin): topic \(entry.name) is listed twice") }
            guard entry.partitions >= 1 else { throw CatalogueError("\(origin): topics.\(entry.name).partitions must be at least 1") }
            guard entry.retentionDays >= 1 else { throw CatalogueError("\(origin): topics.\(entry.name).retention_days must be at least 1") }
        }
        for entry in topics {
            if let dlq = entry.deadLetterTopic, !seen.contains(dlq) {
                throw CatalogueError("\(origin): topics.\(entry.name).dead_letter_topic names \(dlq), which is not in the catalogue")
            }
        }
    }
}

/// One topic of the catalogue.
public struct TopicEntry: Codable, Sendable, Equatable {
    /// What a topic is for.
    public enum Role: String, Codable, Sendable {
        case input
        case deadLetter = "dead-letter"
        case notifications
    }

    public var name: String
    public var role: Role
    public var partitions: Int
    /// What the message key is (documentation for producers).
    public var key: String
    public var retentionDays: Int
    /// For an input topic, where its worker sends messages that break the contract.
    public var deadLetterTopic: String?
    public var producers: String?
    public var consumer: String?

    enum CodingKeys: String, CodingKey {
        case name, role, partitions, key
        case retentionDays = "retention_days"
        case deadLetterTopic = "dead_letter_topic"
        case producers, consumer
    }
}

/// A catalogue that cannot be read or breaks a rule; the message names the file and the entry.
public struct CatalogueError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
