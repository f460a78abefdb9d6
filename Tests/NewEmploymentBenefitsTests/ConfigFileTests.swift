import Foundation
import NewEmploymentBenefits
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("new-employment-benefits config files")
struct ConfigFileTests {
    let keys = RuntimeConfigurationKeys.keys(workerName: NewEmploymentBenefitsDomain.workerName, inputTopic: NewEmploymentBenefitsDomain.defaultInputTopic)
        + NewEmploymentBenefitsDomain.configurationKeys

    func path(_ name: String) -> String { TestPaths.repositoryRoot.appendingPathComponent("configs/\(name)").path }

    @Test("the development config loads the catalogue from configs/ and runs on the embedded broker")
    func development() throws {
        let configuration = try WorkerConfiguration.load(path: path("new-employment-benefits.dev.yaml"), environment: [
            "WELFARE_DOMAIN_CATALOGUE_FILE": path("new-employment-benefits.catalogue.yaml"),
        ], knownKeys: keys)
        #expect(configuration.kafkaProperties["bootstrap.servers"] == nil)
        let domain = try NewEmploymentBenefitsDomain(configuration: configuration)
        #expect(domain.settings.catalogue.version == "2026.1")
        #expect(domain.settings.activityWindowDays == 30)
    }

    @Test("the production example needs the voucher secret from the environment; a missing catalogue file is named")
    func production() throws {
        let withoutSecret = try WorkerConfiguration.load(path: path("new-employment-benefits.prod.yaml"), environment: [:], knownKeys: keys)
        #expect { _ = try NewEmploymentBenefitsDomain(configuration: withoutSecret) } throws: { String(describing: $0).contains("domain.voucher_secret") }
        let configuration = try WorkerConfiguration.load(path: path("new-employment-benefits.prod.yaml"), environment: [
            "WELFARE_DOMAIN_VOUCHER_SECRET": "a-production-secret-of-32-chars!",
        ], knownKeys: keys)
        #expect { _ = try NewEmploymentBenefitsDomain(configuration: configuration) } throws: { String(describing: $0).contains("/etc/welfare/new-employment-benefits.catalogue.yaml") }
        #expect(configuration.kafkaProperties["security.protocol"] == "SASL_SSL")
    }
}
