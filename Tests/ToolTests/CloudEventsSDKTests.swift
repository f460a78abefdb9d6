import Foundation
import Kafka
import MutualAidClaims
import NewEmploymentBenefits
import Testing
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

/// Interoperability with the official CloudEvents Python SDK (`cloudevents` on PyPI): events made by its
/// Kafka binding in both content modes, and notifications parsed by it.
@Suite("CloudEvents SDK interoperability", .timeLimit(.minutes(3)))
struct CloudEventsSDKTests {
    static let script = TestPaths.repositoryRoot.appendingPathComponent("Tests/tools/cloudevents_sdk.py").path

    /// One domain's registration event type, the field holding its entity id, and a valid `data` from its schema.
    struct Case: Sendable, CustomStringConvertible {
        let worker: String
        let topic: String
        let type: String
        let entity: String
        var description: String { worker }
    }

    static let cases = [
        Case(worker: "volunteer-hours", topic: "welfare.volunteer-hours", type: "volunteer.registered.v1", entity: "volunteer_id"),
        Case(worker: "mutual-aid-claims", topic: "welfare.mutual-aid-claims", type: "mutualaid.member.enrolled.v1", entity: "member_id"),
        Case(worker: "new-employment-benefits", topic: "welfare.new-employment-benefits", type: "newemployment.worker.registered.v1", entity: "worker_id"),
    ]

    @Test("events the SDK sends in binary and structured mode get the same outcomes; every notification parses with the SDK's from_structured",
          arguments: cases)
    func sdkInterop(_ domainCase: Case) async throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic(domainCase.topic, partitions: 1)
        try broker.createTopic(domainCase.topic + ".dlq", partitions: 3)
        try broker.createTopic("welfare.notifications", partitions: 12)
        let example = try #require(SchemaExamples.load(domain: domainCase.worker, type: domainCase.type).valid.first)
        let firstID = try #require(example[domainCase.entity]?.stringValue)
        let second = JSONObject(example.members.map { member in
            switch member.key {
            case domainCase.entity: (member.key, .string(firstID + "-2"))
            case "id_number": (member.key, .string(testIdentityNumber(sequence: 417)))
            default: member
            }
        })

        func request(_ mode: String, id: String, data: JSONObject, contentType: String = "application/json") -> String {
            let key = data[domainCase.entity]?.stringValue ?? ""
            let attributes: JSONObject = [
                "id": .string(id), "source": .string("/sdk/interop"), "type": .string(domainCase.type),
                "time": .string("2026-05-10T09:00:00+08:00"), "subject": .string(key), "datacontenttype": .string(contentType),
            ]
            let line: JSONObject = ["mode": .string(mode), "key": .string(key), "attributes": .object(attributes), "data": .object(data)]
            return String(decoding: JSONWriter.encode(.object(line)), as: UTF8.self)
        }
        let requests = [
            request("binary", id: "sdk-1", data: example),
            request("structured", id: "sdk-2", data: second),
            request("binary", id: "sdk-3", data: example, contentType: "text/plain"),
            request("structured", id: "sdk-2", data: second),
            request("binary", id: "sdk-1", data: example),
            request("binary", id: "sdk-6", data: example),
        ]
        let encoded = try runProgram("/usr/bin/env", ["python3", Self.script, "encode"], stdin: requests.joined(separator: "\n"), includeStandardError: true)
        try #require(encoded.status == 0, "the SDK could not encode: \(encoded.output)")
        let records = try encoded.output.split(separator: "\n").map { try Self.record(fromLine: String($0), topic: domainCase.topic) }
        try #require(records.count == requests.count)
        #expect(records[0].headers.contains { $0.name == "ce_specversion" }, "the SDK's binary mode sends ce_* headers")
        #expect(!records[1].headers.contains { $0.name == "ce_specversion" })
        try await Self.publish(records, bootstrap: broker.bootstrapServers)

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let outcomes: [String] = switch domainCase.worker {
        case "volunteer-hours":
            try await Self.outcomes(of: VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "sdk-interop-secret-0123456789")),
                                    count: records.count, topic: domainCase.topic, bootstrap: broker.bootstrapServers, directory: directory)
        case "mutual-aid-claims":
            try await Self.outcomes(of: MutualAidClaimsDomain(plan: .contract), count: records.count, topic: domainCase.topic,
                                    bootstrap: broker.bootstrapServers, directory: directory)
        default:
            try await Self.outcomes(of: NewEmploymentBenefitsDomain(settings: BenefitSettings(voucherSecret: "sdk-interop-voucher-secret-0123")),
                                    count: records.count, topic: domainCase.topic, bootstrap: broker.bootstrapServers, directory: directory)
        }
        #expect(outcomes.count == 6)
        #expect(Array(outcomes.prefix(5)) == ["applied", "applied", "dead_lettered:NOT_CLOUDEVENT", "duplicate", "duplicate"])
        #expect(outcomes.last?.hasPrefix("rejected") == true, "a second registration of the same entity is refused by a rule")

        let notifications = try await readAll("welfare.notifications", partitions: 12, bootstrap: broker.bootstrapServers, atLeast: 1)
        #expect(!notifications.isEmpty)
        let lines = notifications.map(Self.line(of:)).joined(separator: "\n")
        let decoded = try runProgram("/usr/bin/env", ["python3", Self.script, "decode"], stdin: lines, includeStandardError: true)
        #expect(decoded.status == 0)
        let report = try #require(try? JSONParser.parse(Array(decoded.output.utf8)).objectValue, "decode printed: \(decoded.output)")
        #expect(report["parsed"] == .integer(Int64(notifications.count)))
        #expect(report["errors"] == .array([]))
    }

    /// Runs a domain's engine over the topic until every message has an outcome; the outcomes in input order.
    static func outcomes<Domain: DomainHandler>(of domain: Domain, count: Int, topic: String, bootstrap: String, directory: URL) async throws -> [String] {
        let runner = try EngineRunner(domain: domain, bootstrap: bootstrap, inputTopic: topic, notificationsTopic: "welfare.notifications", directory: directory)
        guard try await runner.runUntilProcessed(count) else { throw TestFailure("the worker did not process \(count) messages") }
        return try await runner.strings("SELECT outcome || COALESCE(':' || reason_code, '') FROM runtime_message_outcomes ORDER BY offset")
    }

    static func record(fromLine line: String, topic: String) throws -> ProducerRecord {
        guard case .object(let object)? = try? JSONParser.parse(Array(line.utf8)),
              case .array(let headers)? = object["headers"], let value = object["value"]?.stringValue.flatMap({ Data(base64Encoded: $0) }) else {
            throw TestFailure("not a message line: \(line)")
        }
        let kafkaHeaders = headers.compactMap { header -> KafkaHeader? in
            guard case .array(let pair) = header, pair.count == 2, let name = pair[0].stringValue,
                  let bytes = pair[1].stringValue.flatMap({ Data(base64Encoded: $0) }) else { return nil }
            return KafkaHeader(name: name, value: [UInt8](bytes))
        }
        return ProducerRecord(topic: topic, key: object["key"]?.stringValue.map { Array($0.utf8) }, value: [UInt8](value), headers: kafkaHeaders)
    }

    static func line(of message: ConsumedMessage) -> String {
        let headers = message.headers.map { JSONValue.array([.string($0.name), .string(Data($0.value ?? []).base64EncodedString())]) }
        let line: JSONObject = [
            "key": message.key.map { .string(String(decoding: $0, as: UTF8.self)) } ?? .null,
            "headers": .array(headers), "value": .string(Data(message.value ?? []).base64EncodedString()),
        ]
        return String(decoding: JSONWriter.encode(.object(line)), as: UTF8.self)
    }

    static func publish(_ records: [ProducerRecord], bootstrap: String) async throws {
        let producer = try Producer(configuration: KafkaConfiguration(["bootstrap.servers": bootstrap, "linger.ms": "1"]), logger: EngineRunner<VolunteerHoursDomain>.quiet)
        defer { producer.close() }
        for record in records { try producer.send(record) }
        let flushed = try await onDedicatedThread { producer.flush(timeout: .seconds(30)) }
        if !flushed { throw TestFailure("publishing did not finish") }
    }
}
