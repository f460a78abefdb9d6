import Foundation
import MutualAidClaims
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("mutual-aid-claims config files and plan")
struct ConfigFileTests {
    func path(_ name: String) -> String { TestPaths.repositoryRoot.appendingPathComponent("configs/\(name)").path }

    @Test("the plan in configs/ is the contract's table, with a version")
    func planFile() throws {
        let plan = try PlanSettings.load(path: path("mutual-aid-plan.yaml"))
        #expect(plan.version == "2026.1")
        #expect(plan.risks == PlanSettings.contract.risks)
        #expect(plan.contributionFen == 10_000 && plan.waitingPeriodDays == 90)
    }

    @Test("a bad plan entry stops the worker with a message naming the entry")
    func badPlan() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("plan-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
            version: x
            contribution_fen: 10000
            waiting_period_days: 90
            risks:
              - {code: FLOOD, waiting_period: false, formula: percent_of_self_paid, percent: 150, caps_fen: {year: 1}, documents: [id_card]}
            """.write(to: file, atomically: false, encoding: .utf8)
        #expect { try PlanSettings.load(path: file.path) } throws: { String(describing: $0).contains("risks.FLOOD.percent") }
    }

    @Test("the development and production configs load; production points at the plan under /etc")
    func configs() throws {
        let keys = RuntimeConfigurationKeys.keys(workerName: MutualAidClaimsDomain.workerName, inputTopic: MutualAidClaimsDomain.defaultInputTopic)
            + MutualAidClaimsDomain.configurationKeys
        let development = try WorkerConfiguration.load(path: path("mutual-aid-claims.dev.yaml"), environment: ["WELFARE_DOMAIN_PLAN_FILE": path("mutual-aid-plan.yaml")], knownKeys: keys)
        #expect(try MutualAidClaimsDomain(configuration: development).plan.version == "2026.1")
        let production = try WorkerConfiguration.load(path: path("mutual-aid-claims.prod.yaml"), environment: [:], knownKeys: keys)
        #expect(production.optionalString("domain.plan_file") == "/etc/welfare/mutual-aid-plan.yaml")
        #expect(production.kafkaProperties["security.protocol"] == "SASL_SSL")
    }
}
