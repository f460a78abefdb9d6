import Foundation
import Testing
import TopicCatalogue
import WelfareDomains
import WelfareTestSupport
import Yams

/// The documents people read instead of the code (the configuration reference, the AsyncAPI description)
/// must say what the code does.
@Suite("documents agree with the code")
struct DocumentConsistencyTests {
    let topics = TestPaths.repositoryRoot.appendingPathComponent("topics")

    @Test("configs/REFERENCE.md is exactly what welfare-admin config-reference renders from the workers' keys")
    func configurationReference() throws {
        let rendered = try runProgram(TestPaths.executable("welfare-admin"), ["config-reference"])
        #expect(rendered.status == 0)
        let committed = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("configs/REFERENCE.md"), encoding: .utf8)
        #expect(rendered.output == committed, "configs/REFERENCE.md is stale: run `welfare-admin config-reference > configs/REFERENCE.md`")
        for key in ["`batch.max_messages`", "`WELFARE_DOMAIN_CERTIFICATE_SECRET`", "`domain.plan_file`", "## new-employment-benefits-worker"] {
            #expect(committed.contains(key), "the reference lacks \(key)")
        }
    }

    @Test("the AsyncAPI 3.0 document refers only to schemas that exist, uses every schema, and names every event type the workers decode")
    func asyncAPIDocument() throws {
        let text = try String(contentsOf: topics.appendingPathComponent("asyncapi.yaml"), encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(document["asyncapi"] as? String == "3.0.0")

        var fileReferences: Set<String> = []
        collectReferences(document, into: &fileReferences)
        for reference in fileReferences {
            #expect(FileManager.default.fileExists(atPath: topics.appendingPathComponent(reference).path), "\(reference) does not exist")
        }
        let schemaFiles = try FileManager.default.subpathsOfDirectory(atPath: topics.appendingPathComponent("schemas").path)
            .filter { $0.hasSuffix(".schema.json") }.map { "schemas/" + $0 }
        #expect(Set(schemaFiles) == fileReferences, "schemas not described: \(Set(schemaFiles).subtracting(fileReferences).sorted())")

        let messages = try #require((document["components"] as? [String: Any])?["messages"] as? [String: Any])
        let channels = try #require(document["channels"] as? [String: Any])
        let inputs = WelfareDomains.all.map { (topic: $0.inputTopic, types: $0.eventTypes) }
        for input in inputs {
            let channel = try #require(channels.values.compactMap { $0 as? [String: Any] }.first { $0["address"] as? String == input.topic },
                                       "no channel for \(input.topic)")
            let listed = Set(((channel["messages"] as? [String: Any]) ?? [:]).values.compactMap {
                ($0 as? [String: Any])?["$ref"] as? String
            })
            for type in input.types.sorted() {
                #expect(messages[type] != nil, "\(type) is not a message of the document")
                #expect(listed.contains("#/components/messages/\(type)"), "\(type) is not on the channel \(input.topic)")
            }
        }
        let catalogue = try TopicCatalogue.load(from: topics.appendingPathComponent("catalogue.yaml").path)
        let addresses = channels.values.compactMap { ($0 as? [String: Any])?["address"] as? String }
        #expect(Set(addresses) == Set(catalogue.topics.map(\.name)))
    }

    @Test("the notification schema's examples validate against it (draft 2020-12)")
    func notificationSchema() throws {
        let result = try SchemaExamples.validateWithJSONSchema(domain: "notifications")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("0 failures"))
    }

    private func collectReferences(_ node: Any, into references: inout Set<String>) {
        if let mapping = node as? [String: Any] {
            for (key, value) in mapping {
                if key == "$ref", let reference = value as? String, !reference.hasPrefix("#") { references.insert(reference) }
                collectReferences(value, into: &references)
            }
        } else if let sequence = node as? [Any] {
            for element in sequence { collectReferences(element, into: &references) }
        }
    }
}
