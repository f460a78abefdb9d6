import Foundation
import Testing
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

@Suite("volunteer-hours config files")
struct ConfigFileTests {
    let keys = RuntimeConfigurationKeys.keys(workerName: VolunteerHoursDomain.workerName, inputTopic: VolunteerHoursDomain.defaultInputTopic)
        + VolunteerHoursDomain.configurationKeys

    func path(_ name: String) -> String { TestPaths.repositoryRoot.appendingPathComponent("configs/\(name)").path }

    @Test("the development config runs on the embedded broker with the contract's defaults")
    func development() throws {
        let configuration = try WorkerConfiguration.load(path: path("volunteer-hours.dev.yaml"), environment: [:], knownKeys: keys)
        #expect(configuration.kafkaProperties["bootstrap.servers"] == nil)
        let domain = try VolunteerHoursDomain(configuration: configuration)
        #expect(domain.settings.starThresholdsHours == [100, 300, 600, 1000, 1500])
        #expect(domain.settings.lateRecordWorkingDays == 10 && domain.settings.minimumAge == 14)
        #expect(try WorkerLauncher.runtimeSettings(configuration).inputTopic == "welfare.volunteer-hours")
    }

    @Test("the production example needs its secrets from the environment and passes SASL_SSL through")
    func production() throws {
        #expect(throws: ConfigurationError.self) {
            _ = try VolunteerHoursDomain(configuration: try WorkerConfiguration.load(path: path("volunteer-hours.prod.yaml"), environment: [:], knownKeys: keys))
        }
        let configuration = try WorkerConfiguration.load(path: path("volunteer-hours.prod.yaml"), environment: [
            "WELFARE_DOMAIN_CERTIFICATE_SECRET": "a-production-secret-of-32-chars!", "WELFARE_KAFKA_SASL_USERNAME": "volunteer-hours",
            "WELFARE_KAFKA_SASL_PASSWORD": "secret",
        ], knownKeys: keys)
        _ = try VolunteerHoursDomain(configuration: configuration)
        #expect(configuration.kafkaProperties["security.protocol"] == "SASL_SSL")
        #expect(try configuration.string("store.path").hasPrefix("/var/lib/welfare/"))
    }

    @Test("a certificate secret that is too short fails at start, naming the key")
    func shortSecret() throws {
        let configuration = try WorkerConfiguration.load(path: nil, environment: ["WELFARE_DOMAIN_CERTIFICATE_SECRET": "short"], knownKeys: keys)
        #expect { _ = try VolunteerHoursDomain(configuration: configuration) } throws: { String(describing: $0).contains("domain.certificate_secret") }
    }
}
