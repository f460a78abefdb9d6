import Foundation
import Kafka
import MutualAidClaims
import NewEmploymentBenefits
import Testing
import TopicCatalogue
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

/// The edges the contract settles ("Identifiers and formats", the dead-letter reasons and headers), pinned
/// for every domain in one table so that a later change cannot move one of them unnoticed.
@Suite("contract edges, every domain")
struct ContractEdgeTests {
    /// What a domain offers the table: its registration (with a `name` of at most 50 characters), an event
    /// with a plain integer field that takes 60, and an event with a money field, if it has one.
    struct Domain: Sendable, CustomStringConvertible {
        let worker: String
        let topic: String
        let entity: String
        let registration: String
        let integerEvent: (type: String, field: String)
        let moneyEvent: (type: String, field: String)?
        var description: String { worker }
    }

    static let domains = [
        Domain(worker: "volunteer-hours", topic: "welfare.volunteer-hours", entity: "volunteer_id", registration: "volunteer.registered.v1",
               integerEvent: ("volunteer.hours.approved.v1", "approved_minutes"), moneyEvent: nil),
        Domain(worker: "mutual-aid-claims", topic: "welfare.mutual-aid-claims", entity: "member_id", registration: "mutualaid.member.enrolled.v1",
               integerEvent: ("mutualaid.claim.submitted.v1", "hospital_days"), moneyEvent: ("mutualaid.claim.paid.v1", "amount_fen")),
        Domain(worker: "new-employment-benefits", topic: "welfare.new-employment-benefits", entity: "worker_id",
               registration: "newemployment.worker.registered.v1", integerEvent: ("newemployment.activity.reported.v1", "online_minutes"), moneyEvent: nil),
    ]

    /// One row of the table: a message and the outcome it must get ("accepted" is any outcome but a dead letter).
    struct Row {
        let name: String
        let value: [UInt8]
        let expected: String
    }

    @Test("integers, money, JSON oddities, sources, entity ids, text limits and dead-letter headers get the contract's outcomes", arguments: domains)
    func edges(_ domain: Domain) throws {
        let catalogue = try TopicCatalogue.load(from: TestPaths.repositoryRoot.appendingPathComponent("topics/catalogue.yaml").path)
        let catalogueName = try #require(catalogue.entry(named: domain.topic)?.consumer).replacingOccurrences(of: "-worker", with: "")
        let registration = try example(domain.worker, domain.registration)
        let key = try #require(registration[domain.entity]?.stringValue)
        var counter = 0
        func event(_ type: String, _ data: JSONObject, replacing field: String? = nil, with raw: String? = nil,
                   id: String? = nil, source: String = "/test/edges") -> [UInt8] {
            counter += 1
            var dataText = String(decoding: JSONWriter.encode(.object(data.setting(field ?? "", to: .string("__RAW__")))), as: UTF8.self)
            if let raw { dataText = dataText.replacingOccurrences(of: "\"__RAW__\"", with: raw) }
            let idText = String(decoding: JSONWriter.encode(.string(id ?? "edge-\(counter)")), as: UTF8.self)
            let sourceText = String(decoding: JSONWriter.encode(.string(source)), as: UTF8.self)
            return Array(("{\"specversion\":\"1.0\",\"id\":\(idText),\"source\":\(sourceText),\"type\":\"\(type)\"," +
                          "\"time\":\"2026-06-30T09:00:00+08:00\",\"subject\":\"\(key)\",\"data\":\(dataText)}").utf8)
        }

        var rows: [Row] = []
        // Integers: 60, 60.0 and 6e1 are one value; a fraction or a value beyond a signed 64-bit integer is not an integer.
        let integerData = try example(domain.worker, domain.integerEvent.type, having: domain.integerEvent.field)
        let integerField = domain.integerEvent.field
        for raw in ["60.5", "9223372036854775808", "-9223372036854775809", "1e19"] {
            rows.append(Row(name: "\(integerField) \(raw)", value: event(domain.integerEvent.type, integerData, replacing: integerField, with: raw), expected: "INVALID_DATA"))
        }
        if let money = domain.moneyEvent {
            let moneyData = try example(domain.worker, money.type, having: money.field)
            rows.append(Row(name: "negative \(money.field)", value: event(money.type, moneyData, replacing: money.field, with: "-1"), expected: "INVALID_DATA"))
        }
        // JSON that is not JSON, or not of Unicode scalars.
        let valid = String(decoding: event(domain.registration, registration), as: UTF8.self)
        let lastBrace = valid.index(before: valid.index(before: valid.endIndex))
        func insertedInData(_ raw: String) -> [UInt8] { Array((String(valid[..<lastBrace]) + ",\"x\":" + raw + "}}").utf8) }
        rows.append(Row(name: "NaN", value: insertedInData("NaN"), expected: "MALFORMED_JSON"))
        rows.append(Row(name: "Infinity", value: insertedInData("Infinity"), expected: "MALFORMED_JSON"))
        rows.append(Row(name: "-Infinity", value: insertedInData("-Infinity"), expected: "MALFORMED_JSON"))
        rows.append(Row(name: "lone surrogate", value: insertedInData("\"\\ud800\""), expected: "MALFORMED_JSON"))
        rows.append(Row(name: "100,000 nested arrays", value: insertedInData(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)),
                        expected: "MALFORMED_JSON"))
        // Sources must be URI references.
        rows.append(Row(name: "source with a space", value: event(domain.registration, registration, source: "/test/edge source"), expected: "NOT_CLOUDEVENT"))
        rows.append(Row(name: "source with non-ASCII", value: event(domain.registration, registration, source: "/test/志愿者"), expected: "NOT_CLOUDEVENT"))
        // An entity id that is a number is INVALID_DATA, not KEY_MISMATCH.
        rows.append(Row(name: "numeric entity id", value: event(domain.registration, registration, replacing: domain.entity, with: "7"), expected: "INVALID_DATA"))
        // Text at its published maximum is accepted, one character more is not (counted in Unicode scalars).
        let fifty = String(repeating: "蓉", count: 50)
        rows.append(Row(name: "name of 51 characters", value: event(domain.registration, registration, replacing: "name", with: "\"\(fifty)城\""), expected: "INVALID_DATA"))
        rows.append(Row(name: "name of 50 characters", value: event(domain.registration, registration, replacing: "name", with: "\"\(fifty)\""), expected: "accepted"))
        // Dead-letter headers: TOO_LARGE and an empty id carry no dlq-event-id.
        let padded = Array(valid.utf8) + [UInt8](repeating: 0x20, count: EnvelopeCheck.maximumValueBytes + 1 - valid.utf8.count)
        rows.append(Row(name: "too large", value: padded, expected: "TOO_LARGE"))
        rows.append(Row(name: "empty id", value: event(domain.registration, registration, id: ""), expected: "NOT_CLOUDEVENT"))

        let steps = try Self.run(domain, rows.map { (key: key, value: $0.value) })
        try #require(steps.count == rows.count)
        for (row, step) in zip(rows, steps) {
            let got = step.outcome == "dead_lettered" ? step.reason ?? "?" : "accepted"
            #expect(got == row.expected, "\(domain.worker): \(row.name) gave \(got) (\(step.detail ?? ""))")
            if let headers = step.deadLetterHeaders {
                #expect(headers.last { $0.name == "dlq-worker" }?.text == catalogueName, "\(row.name): dlq-worker is the catalogue's name")
                let eventID = headers.last { $0.name == "dlq-event-id" }
                if row.name == "too large" || row.name == "empty id" {
                    #expect(eventID == nil, "\(row.name) carries no dlq-event-id")
                } else if row.expected != "MALFORMED_JSON" {
                    #expect(eventID?.text?.isEmpty == false, "\(row.name) names its event id")
                }
            } else {
                #expect(row.expected == "accepted", "\(row.name): a dead letter must have a copy")
            }
        }
        if let numeric = zip(rows, steps).first(where: { $0.0.name == "numeric entity id" })?.1 {
            #expect(numeric.detail?.hasPrefix("data.\(domain.entity)") == true)
        }

        // 60, 60.0 and 6e1 give the same outcome, each on a store of its own.
        var outcomes: [String] = []
        for raw in ["60", "60.0", "6e1", "6.0E+1"] {
            let step = try #require(try Self.run(domain, [(key: key, value: event(domain.integerEvent.type, integerData, replacing: integerField, with: raw))]).first)
            outcomes.append("\(step.outcome):\(step.reason ?? "")")
        }
        #expect(Set(outcomes).count == 1, "\(domain.worker): \(outcomes)")
        #expect(outcomes.first?.hasPrefix("dead_lettered") == false)
    }

    /// The first valid example of a type's schema that has `field`.
    func example(_ worker: String, _ type: String, having field: String? = nil) throws -> JSONObject {
        let examples = try SchemaExamples.load(domain: worker, type: type).valid
        guard let found = examples.first(where: { field == nil || $0[field ?? ""] != nil }) else {
            throw TestFailure("no valid example of \(type) has \(field ?? "")")
        }
        return found
    }

    static func run(_ domain: Domain, _ messages: [(key: String, value: [UInt8])]) throws -> [DomainStep] {
        switch domain.worker {
        case "volunteer-hours":
            return try DomainHarness(domain: VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "edge-test-secret-0123456789")),
                                     topic: domain.topic).batch(messages)
        case "mutual-aid-claims":
            return try DomainHarness(domain: MutualAidClaimsDomain(plan: .contract), topic: domain.topic).batch(messages)
        default:
            return try DomainHarness(domain: NewEmploymentBenefitsDomain(settings: BenefitSettings(voucherSecret: "edge-test-voucher-secret-0123")),
                                     topic: domain.topic).batch(messages)
        }
    }
}

extension JSONObject {
    /// A copy with `key` set to `value` (added at the end when absent; an empty key changes nothing).
    func setting(_ key: String, to value: JSONValue) -> JSONObject {
        guard !key.isEmpty else { return self }
        if members.contains(where: { $0.key == key }) { return JSONObject(members.map { $0.key == key ? ($0.key, value) : $0 }) }
        return JSONObject(members + [(key, value)])
    }
}
