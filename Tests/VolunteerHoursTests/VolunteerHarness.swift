import Foundation
import Kafka
import SampleStreams
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

/// Runs volunteer-hours events through the real message processor into a real SQLite store in a
/// temporary folder, and hands back each message's outcome and notifications.
final class VolunteerHarness {
    let harness: DomainHarness<VolunteerHoursDomain>
    var store: TestStore { harness.store }
    private var identitySequence = 100

    static let secret = "test-certificate-secret-0123456789"
    typealias Step = DomainHarness<VolunteerHoursDomain>.Step

    init(engine: StoreEngine = .sqlite, settings: VolunteerSettings = VolunteerSettings(certificateSecret: VolunteerHarness.secret)) throws {
        harness = try DomainHarness(domain: VolunteerHoursDomain(settings: settings), topic: "welfare.volunteer-hours", engine: engine)
    }

    func message(_ type: String, _ data: JSONObject, id: String? = nil, time: String = "2026-05-20T10:00:00+08:00") -> (key: String, value: [UInt8]) {
        harness.message(type, data, entity: "volunteer_id", id: id, time: time)
    }

    func batch(_ messages: [(key: String, value: [UInt8])]) throws -> [Step] { try harness.batch(messages) }

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
        let row = try store.rows("SELECT total_minutes, star_level FROM volunteer_totals WHERE volunteer_id = ?", [volunteer]).first
        return (row?[0].flatMap { Int64($0) } ?? -1, row?[1].flatMap { Int64($0) } ?? -1)
    }

    func recordState(_ record: String) throws -> String? {
        try store.rows("SELECT state FROM volunteer_records WHERE record_id = ?", [record]).first?.first ?? nil
    }
}

/// A valid 18-character identity number for a birth date `YYYYMMDD` (region 510104, Chengdu Jinjiang).
func identityNumber(birth: String, sequence: Int) -> String {
    VolunteerHoursStream.identityNumber(birth: birth, sequence: sequence)
}
