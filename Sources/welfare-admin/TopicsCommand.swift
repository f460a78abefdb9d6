import ArgumentParser
import Foundation
import Kafka
import TopicCatalogue
import WelfareOperations

/// `welfare-admin topics plan|apply`: the catalogue against a cluster; creates what is missing, never deletes.
struct TopicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Compare topics/catalogue.yaml with a cluster (plan) and create the missing topics (apply).",
        subcommands: [Plan.self, Apply.self])

    /// What both subcommands take.
    struct Options: ParsableArguments {
        @OptionGroup var kafka: KafkaOptions
        @Option(help: "The topic catalogue.") var catalogue = "topics/catalogue.yaml"
        @Option(help: "Replication factor for created topics (default: the catalogue's).") var replicationFactor: Int?
        @Option(help: "Seconds to wait for the cluster.") var timeout = 15

        func plan() throws -> TopicPlan {
            let catalogue = try TopicCatalogue.load(from: catalogue)
            let admin = try Admin(configuration: kafka.configuration)
            let cluster = try admin.describeTopics(timeout: .seconds(timeout))
            return TopicPlan(catalogue: catalogue.specifications(replicationFactor: replicationFactor), cluster: cluster)
        }
    }

    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what apply would create; changes nothing.")
        @OptionGroup var options: Options

        func run() throws {
            let plan = try options.plan()
            print("plan for \(options.kafka.bootstrapServers):")
            plan.lines.forEach { print($0) }
        }
    }

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the missing topics; existing topics are never altered or deleted.",
            discussion: "Exit status 0 when every missing topic was created, 1 when a creation failed.")
        @OptionGroup var options: Options

        func run() throws {
            let plan = try options.plan()
            print("plan for \(options.kafka.bootstrapServers):")
            plan.lines.forEach { print($0) }
            let missing = plan.toCreate
            guard !missing.isEmpty else {
                print("nothing to create")
                return
            }
            let admin = try Admin(configuration: options.kafka.configuration)
            let results: [String: Result<Void, KafkaError>]
            do {
                results = try admin.createTopics(missing, timeout: .seconds(options.timeout))
            } catch {
                print("the cluster did not create the topics: \(error)")
                throw ExitCode.failure
            }
            var failed = 0
            for spec in missing {
                switch results[spec.name] {
                case .success?: print("created  \(spec.name)")
                case .failure(let error)?:
                    failed += 1
                    print("failed   \(spec.name): \(error)")
                case nil:
                    failed += 1
                    print("failed   \(spec.name): no answer from the cluster")
                }
            }
            if failed > 0 { throw ExitCode.failure }
        }
    }
}
