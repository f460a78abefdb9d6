import Foundation
import Kafka
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("welfare-publish", .timeLimit(.minutes(2)))
struct PublishToolTests {
    @Test("an NDJSON file is published with its keys and values; a generator publishes the count asked for")
    func publishesFileAndGenerator() async throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("welfare.volunteer-hours", partitions: 3)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("events-\(UUID().uuidString).ndjson")
        defer { try? FileManager.default.removeItem(at: file) }
        try """
            {"key": "V-1", "value": {"specversion": "1.0", "id": "e1", "type": "volunteer.registered.v1"}}

            {"key": "V-2", "value": "raw text, sent as-is"}
            """.write(to: file, atomically: false, encoding: .utf8)
        let fromFile = try runProgram(TestPaths.executable("welfare-publish"), [
            "--bootstrap-servers", broker.bootstrapServers, "--topic", "welfare.volunteer-hours", "--file", file.path,
        ])
        #expect(fromFile.status == 0)
        #expect(fromFile.output.contains("published 2 messages"))
        let generated = try runProgram(TestPaths.executable("welfare-publish"), [
            "--bootstrap-servers", broker.bootstrapServers, "--topic", "welfare.volunteer-hours", "--generator", "volunteer-hours",
            "--count", "300", "--seed", "9", "--rate", "5000",
        ])
        #expect(generated.status == 0)
        let messages = try await readAll("welfare.volunteer-hours", partitions: 3, bootstrap: broker.bootstrapServers, atLeast: 302)
        #expect(messages.count == 302)
        let first = try #require(messages.first { $0.key == Array("V-1".utf8) })
        #expect(jsonObjectOf(first.value)?["id"] == .string("e1"))
        #expect(messages.contains { $0.key == Array("V-2".utf8) && $0.value == Array("raw text, sent as-is".utf8) })
        #expect(messages.filter { jsonObjectOf($0.value)?["type"] == .string("volunteer.registered.v1") }.count > 10)
    }

    @Test("a --kafka argument that is not KEY=VALUE is refused, naming it")
    func malformedKafkaProperty() throws {
        let result = try runProgram(TestPaths.executable("welfare-publish"), [
            "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--generator", "volunteer-hours", "--kafka", "security.protocol",
        ], includeStandardError: true)
        #expect(result.status != 0)
        #expect(result.output.contains("--kafka takes KEY=VALUE, not security.protocol"))
    }

    @Test("a bad NDJSON line stops with its line number and exit status 2")
    func badLine() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).ndjson")
        defer { try? FileManager.default.removeItem(at: file) }
        try "{\"key\": \"V-1\", \"value\": {}}\nnot json\n".write(to: file, atomically: false, encoding: .utf8)
        let result = try runProgram(TestPaths.executable("welfare-publish"), [
            "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--file", file.path,
        ])
        #expect(result.status != 0)
    }
}

func jsonObjectOf(_ bytes: [UInt8]?) -> JSONObject? {
    guard let bytes else { return nil }
    return (try? JSONParser.parse(bytes))?.objectValue
}
