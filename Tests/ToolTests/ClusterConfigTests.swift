import Foundation
import Kafka
import Testing
import WelfareDomains
import WelfareTestSupport
import WorkerRuntime

@Suite("the clustered configurations")
struct ClusterConfigTests {
    @Test("each worker's cluster config names a PostgreSQL store without a password, joins its group, and loads with the secrets from the environment",
          arguments: WelfareDomains.all.map(\.name))
    func clusterConfig(worker: String) throws {
        let entry = try #require(WelfareDomains.named(worker))
        let keys = RuntimeConfigurationKeys.keys(workerName: entry.name, inputTopic: entry.inputTopic, batchMaxMessages: entry.worker.defaultBatchMaxMessages)
            + entry.worker.configurationKeys
        let path = TestPaths.repositoryRoot.appendingPathComponent("configs/\(worker).cluster.yaml").path
        // The plan and catalogue files live in /etc/welfare on a server; here the repository's copies.
        let environment = entry.developmentSecrets.merging([
            "WELFARE_DOMAIN_PLAN_FILE": TestPaths.repositoryRoot.appendingPathComponent("configs/mutual-aid-plan.yaml").path,
            "WELFARE_DOMAIN_CATALOGUE_FILE": TestPaths.repositoryRoot.appendingPathComponent("configs/new-employment-benefits.catalogue.yaml").path,
        ]) { $1 }
        let configuration = try WorkerConfiguration.load(path: path, environment: environment, knownKeys: keys)
        let store = try configuration.string("store.path")
        #expect(store.hasPrefix("postgresql://"))
        let userInfo = store.dropFirst("postgresql://".count).split(separator: "@").first ?? ""
        #expect(!store.contains("password") && !userInfo.contains(":"), "no password in the URL")
        #expect(try configuration.choice("consumer.assignment", ["auto", "direct", "group"]) == "group")
        #expect(configuration.kafkaProperties["session.timeout.ms"] == "10000")
        _ = try entry.worker.init(configuration: configuration)
    }
}

@Suite("the cluster demo", .timeLimit(.minutes(3)))
struct ClusterDemoTests {
    @Test("ops/run-cluster.sh runs two instances of each worker on PostgreSQL, kills one of each, and reports one outcome per event and the takeover")
    func clusterDemo() async throws {
        let script = TestPaths.repositoryRoot.appendingPathComponent("ops/run-cluster.sh").path
        // Its half minute is waited out on a thread of its own, not on one of the two threads every test shares.
        let (status, text) = try await onDedicatedThread {
            try runProgram("/bin/bash", [script, "3000"], environment: ["WELFARE_BIN": TestPaths.builtProducts.path])
        }
        #expect(status == 0, "\(text)")
        #expect(text.components(separatedBy: "every event has exactly one outcome").count - 1 == 3, "\(text)")
        #expect(text.components(separatedBy: "B now owns 0,1,2,3,4,5,6,7,8,9,10,11").count - 1 == 3, "the survivor took every partition: \(text)")
        #expect(!text.contains("MISMATCH"))
    }
}
