import Foundation
import Testing
import WelfareTestSupport

/// The alert rules in `ops/prometheus/` as Prometheus itself reads them: `promtool check rules` and
/// `promtool test rules` with the unit tests beside them (every alert fires when it should and stays quiet
/// when it should not).
@Suite("alert rules")
struct AlertRuleTests {
    static let folder = TestPaths.repositoryRoot.appendingPathComponent("ops/prometheus")

    @Test("promtool accepts every alert rule file")
    func rulesCheck() throws {
        let rules = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".yml") && !$0.hasSuffix(".test.yml") }
        #expect(!rules.isEmpty)
        let result = try runProgram("/usr/bin/promtool", ["check", "rules"] + rules.map { Self.folder.appendingPathComponent($0).path }, includeStandardError: true)
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("promtool's unit tests of the alert rules pass, and every alert has one")
    func rulesUnitTests() throws {
        let tests = Self.folder.appendingPathComponent("welfare-alerts.test.yml")
        let result = try runProgram("/usr/bin/promtool", ["test", "rules", tests.path], includeStandardError: true)
        #expect(result.status == 0, "\(result.output)")
        let rules = try String(contentsOf: Self.folder.appendingPathComponent("welfare-alerts.yml"), encoding: .utf8)
        let testText = try String(contentsOf: tests, encoding: .utf8)
        let alerts = rules.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("- alert: ") ? String(trimmed.dropFirst("- alert: ".count)) : nil
        }
        #expect(alerts.count >= 5)
        for alert in alerts {
            #expect(testText.contains("alertname: \(alert)\n        exp_alerts:\n          - exp_labels"), "\(alert) has a case where it fires")
            #expect(testText.contains("alertname: \(alert)\n        exp_alerts: []"), "\(alert) has a case where it stays quiet")
        }
    }
}
