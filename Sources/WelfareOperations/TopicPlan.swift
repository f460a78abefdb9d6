import Kafka
import TopicCatalogue

/// The difference between the topic catalogue and a cluster: what exists, what is missing (and will be
/// created), and what differs (reported for a person to decide; the tool never deletes or alters a topic).
public struct TopicPlan: Sendable, Equatable {
    /// What the plan says about one catalogue topic.
    public enum Step: Sendable, Equatable {
        /// The topic exists with the catalogue's partition count (a lower replication is pointed out).
        case upToDate(catalogue: TopicSpecification, cluster: TopicDescription)
        /// The topic does not exist; `apply` creates it.
        case create(TopicSpecification)
        /// The topic exists with another partition count. Adding partitions moves keys to other
        /// partitions (breaking per-entity order) and removing them is impossible, so this is left to a person.
        case differs(catalogue: TopicSpecification, cluster: TopicDescription)
    }

    public let steps: [Step]
    /// Topics on the cluster that the catalogue does not name (listed, never touched).
    public let unlisted: [String]

    /// Compares the catalogue's specifications with the cluster's topics.
    public init(catalogue: [TopicSpecification], cluster: [String: TopicDescription]) {
        steps = catalogue.map { spec in
            guard let existing = cluster[spec.name] else { return .create(spec) }
            return existing.partitions == spec.partitions ? .upToDate(catalogue: spec, cluster: existing) : .differs(catalogue: spec, cluster: existing)
        }
        let named = Set(catalogue.map(\.name))
        unlisted = cluster.keys.filter { !named.contains($0) }.sorted()
    }

    /// The topics `apply` would create.
    public var toCreate: [TopicSpecification] {
        steps.compactMap { if case .create(let spec) = $0 { spec } else { nil } }
    }

    /// Whether the cluster needs nothing created and nothing differs.
    public var isUpToDate: Bool {
        steps.allSatisfy { if case .upToDate = $0 { true } else { false } }
    }

    /// The plan as lines a person reads: one per topic, then a summary.
    public var lines: [String] {
        var lines = steps.map { step -> String in
            switch step {
            case .upToDate(let spec, let topic):
                "  ok       \(topic.name) (\(topic.partitions) partitions, replication \(topic.replicationFactor)"
                    + (topic.replicationFactor < spec.replicationFactor ? "; the catalogue asks for \(spec.replicationFactor))" : ")")
            case .create(let spec):
                "  create   \(spec.name) (\(spec.partitions) partitions, replication \(spec.replicationFactor), "
                    + spec.configs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"
            case .differs(let spec, let cluster):
                "  differs  \(spec.name): \(cluster.partitions) partitions on the cluster, \(spec.partitions) in the catalogue (left as it is; see RUNBOOK)"
            }
        }
        for name in unlisted { lines.append("  unlisted \(name) (not in the catalogue; left as it is)") }
        let differing = steps.filter { if case .differs = $0 { true } else { false } }.count
        lines.append("\(toCreate.count) to create, \(differing) differing, \(steps.count - toCreate.count - differing) up to date")
        return lines
    }
}
