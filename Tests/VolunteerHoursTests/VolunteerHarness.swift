import Foundation
import GRDB
import Kafka
import SampleStreams
import VolunteerHours
import WorkerRuntime

/// Runs volunteer-hours events through the real message processor into a real SQLite store in a
/// temporary folder, and hands back each message's outcome and notifications.
final class VolunteerHarness {
    let store: WorkerStore
    let processor: MessageProcessor<VolunteerHoursDomain>
    private var offset: Int64 = 0
    private var counter = 0
    private var identitySequence = 100

    static let secret = "test-certificate-secret-0123456789"

    init(settings: VolunteerSettings = VolunteerSettings(certificateSecret: VolunteerHarness.secret)) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("volunteer-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let domain = VolunteerHoursDomain(settings: settings)
        store = try WorkerStore(path: directory.appendingPathComponent("v.sqlite").path) { domain.registerMigrations(in: &$0) }
        processor = MessageProcessor(handler: domain, deadLetterTopic: "welfare.volunteer-hours.dlq", notificationsTopic: "welfare.notifications")
    }

    /// What one message came to.
    struct Step {
        let outcome: String
        let reason: String?
        let detail: String?
        let notifications: [JSONObject]

        var templates: [String] { notifications.compactMap { $0["template"]?.stringValue } }
        func params(_ template: String) -> JSONObject? { notifications.first { $0["template"]?.stringValue == template }?["params"]?.objectValue }
        func recipient(_ template: String) -> JSONObject? { notifications.first { $0["template"]?.stringValue == template }?["recipient"]?.objectValue }
    }

    /// One event's message bytes.
    func message(_ type: String, _ data: JSONObject, id: String? = nil, time: String = "2026-05-20T10:00:00+08:00") -> (key: String, value: [UInt8]) {
        counter += 1
        let volunteer = data["volunteer_id"]?.stringValue ?? "none"
        let event: JSONObject = [
            "specversion": .string("1.0"), "id": .string(id ?? "evt-\(counter)"), "source": .string("/test/volunteer-app"),
            "type": .string(type), "time": .string(time), "subject": .string(volunteer), "data": .object(data),
        ]
        return (volunteer, JSONWriter.encode(.object(event)))
    }

    /// Processes messages in one transaction (one batch), returning a step per message.
    func batch(_ messages: [(key: String, value: [UInt8])]) throws -> [Step] {
        let consumed = messages.map { message -> ConsumedMessage in
            defer { offset += 1 }
            return ConsumedMessage(topic: "welfare.volunteer-hours", partition: 0, offset: offset, key: Array(message.key.utf8), value: message.value)
        }
        let result = try store.queue.write { db in try processor.process(consumed, db: db) }
        let rows = try store.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT offset, outcome, reason_code, detail FROM runtime_message_outcomes WHERE offset >= ? ORDER BY offset",
                             arguments: [consumed.first?.offset ?? 0])
        }
        var notificationsByEvent: [String: [JSONObject]] = [:]
        for row in result.outbox where row.record.topic == "welfare.notifications" {
            guard case .object(let envelope)? = try? JSONParser.parse(row.record.value ?? []), let data = envelope["data"]?.objectValue,
                  let cause = data["caused_by"]?.stringValue else { continue }
            notificationsByEvent[cause, default: []].append(data)
        }
        return zip(rows, messages).map { row, message in
            let id = (try? JSONParser.parse(message.value)).flatMap { $0.objectValue?["id"]?.stringValue } ?? ""
            return Step(outcome: row["outcome"], reason: row["reason_code"], detail: row["detail"], notifications: notificationsByEvent[id] ?? [])
        }
    }

    /// Processes one event on its own.
    @discardableResult
    func send(_ type: String, _ data: JSONObject, id: String? = nil, time: String = "2026-05-20T10:00:00+08:00") throws -> Step {
        try batch([message(type, data, id: id, time: time)])[0]
    }

    // MARK: Event builders

    private func nextIdentitySequence() -> Int {
        identitySequence += 1
        return identitySequence
    }

    @discardableResult
    func register(_ volunteer: String, birth: String = "19900101", consent: Bool? = nil, identitySequence: Int? = nil,
                  time: String = "2026-05-20T10:00:00+08:00") throws -> Step {
        var data: JSONObject = [
            "volunteer_id": .string(volunteer), "name": .string("张三明"),
            "id_number": .string(identityNumber(birth: birth, sequence: identitySequence ?? nextIdentitySequence())),
            "phone": .string("13800138000"), "district": .string("锦江区"),
            "birth_date": .string("\(birth.prefix(4))-\(birth.dropFirst(4).prefix(2))-\(birth.suffix(2))"),
        ]
        if let consent { data.members.append(("guardian_consent", .bool(consent))) }
        return try send("volunteer.registered.v1", data, time: time)
    }

    func submission(_ record: String, volunteer: String, start: String, end: String, organization: String = "ORG-1") -> JSONObject {
        [
            "record_id": .string(record), "volunteer_id": .string(volunteer), "organization_id": .string(organization),
            "activity_id": .string("ACT-1"), "activity_name": .string("社区敬老"), "place": .string("锦江区春熙路社区"),
            "service_content": .string("陪伴老人"), "started_at": .string(start), "ended_at": .string(end), "submitted_by": .string("STAFF-1"),
        ]
    }

    @discardableResult
    func submit(_ record: String, volunteer: String, start: String, end: String, organization: String = "ORG-1",
                time: String = "2026-05-20T10:00:00+08:00") throws -> Step {
        try send("volunteer.hours.submitted.v1", submission(record, volunteer: volunteer, start: start, end: end, organization: organization), time: time)
    }

    @discardableResult
    func approve(_ record: String, volunteer: String, approver: String = "ORG-STAFF", minutes: Int64? = nil) throws -> Step {
        var data: JSONObject = ["record_id": .string(record), "volunteer_id": .string(volunteer), "approver_id": .string(approver)]
        if let minutes { data.members.append(("approved_minutes", .integer(minutes))) }
        return try send("volunteer.hours.approved.v1", data)
    }

    @discardableResult
    func correct(_ correction: String, record: String, volunteer: String, minutes: Int64) throws -> Step {
        try send("volunteer.hours.corrected.v1", [
            "correction_id": .string(correction), "record_id": .string(record), "volunteer_id": .string(volunteer),
            "approved_minutes": .integer(minutes), "reason": .string("登记有误"), "corrected_by": .string("ORG-STAFF"),
        ])
    }

    func total(_ volunteer: String) throws -> (minutes: Int64, level: Int64) {
        try store.queue.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT total_minutes, star_level FROM volunteers WHERE volunteer_id = ?", arguments: [volunteer])
            return (row?["total_minutes"] ?? -1, row?["star_level"] ?? -1)
        }
    }

    func recordState(_ record: String) throws -> String? {
        try store.queue.read { try String.fetchOne($0, sql: "SELECT state FROM volunteer_records WHERE record_id = ?", arguments: [record]) }
    }
}

/// A valid 18-character identity number for a birth date `YYYYMMDD` (region 510104, Chengdu Jinjiang).
func identityNumber(birth: String, sequence: Int) -> String {
    VolunteerHoursStream.identityNumber(birth: birth, sequence: sequence)
}
