import Foundation
import GRDB
import WorkerRuntime

/// All of the volunteer-hours domain's SQL: loads the state the rules need and writes their decisions.
struct VolunteerStore {
    let db: Database

    struct Volunteer {
        let id: String
        let totalMinutes: Int64
        let starLevel: Int
    }

    struct Record {
        let id: String
        let volunteerID: String
        let organizationID: String
        let state: String
        let startedMicroseconds: Int64
        let endedMicroseconds: Int64
        let claimedMinutes: Int64
        let approvedMinutes: Int64?

        var periodMinutes: Int64 { claimedMinutes }
    }

    // MARK: Volunteers

    func volunteer(_ id: String) throws -> Volunteer? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT total_minutes, star_level FROM volunteers WHERE volunteer_id = ?"), arguments: [id]).map {
            Volunteer(id: id, totalMinutes: $0[0], starLevel: $0[1])
        }
    }

    func identityBelongsToAnother(_ number: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM volunteers WHERE identity_hash = ?"), arguments: [Data(FieldFormats.identityPseudonym(number))]) ?? false
    }

    func insertVolunteer(_ registration: VolunteerEvent.Registration, at time: Instant) throws {
        try db.cachedStatement(sql: """
            INSERT INTO volunteers (volunteer_id, name, identity_hash, birth_date, district, guardian_consent, registered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [registration.volunteerID, registration.name, Data(FieldFormats.identityPseudonym(registration.identityNumber)),
                             registration.birthDate.description, registration.district, registration.guardianConsent, time.text])
    }

    func setTotals(volunteerID: String, totalMinutes: Int64, starLevel: Int) throws {
        try db.cachedStatement(sql: "UPDATE volunteers SET total_minutes = ?, star_level = ? WHERE volunteer_id = ?").execute(
                       arguments: [totalMinutes, starLevel, volunteerID])
    }

    // MARK: Records

    func record(_ id: String) throws -> Record? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT volunteer_id, organization_id, state, started_us, ended_us, claimed_minutes, approved_minutes
            FROM volunteer_records WHERE record_id = ?
            """), arguments: [id]).map {
            // Columns by position: GRDB's lookup by name folds case on every access.
            Record(id: id, volunteerID: $0[0], organizationID: $0[1], state: $0[2], startedMicroseconds: $0[3], endedMicroseconds: $0[4],
                   claimedMinutes: $0[5], approvedMinutes: $0[6])
        }
    }

    /// Whether a PENDING or APPROVED record of the volunteer overlaps the period. Periods last at most
    /// 24 hours, so only records starting within 24 hours before the new end are looked at (indexed).
    func hasOverlap(volunteerID: String, start: Int64, end: Int64) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT 1 FROM volunteer_records
            WHERE volunteer_id = ? AND state IN ('PENDING', 'APPROVED')
              AND started_us > ? AND started_us < ? AND ended_us > ?
            LIMIT 1
            """), arguments: [volunteerID, start - ServicePeriod.maximumMicroseconds, end, start]) ?? false
    }

    func insertRecord(_ submission: VolunteerEvent.Submission, serviceDate: LocalDate, minutes: Int64, late: Bool) throws {
        try db.cachedStatement(sql: """
            INSERT INTO volunteer_records (record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content,
                submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, late, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING')
            """).execute(arguments: [submission.recordID, submission.volunteerID, submission.organizationID, submission.activityID,
                             submission.activityName, submission.place, submission.serviceContent, submission.submittedBy,
                             submission.startedAt.text, submission.endedAt.text, submission.startedAt.epochMicroseconds,
                             submission.endedAt.epochMicroseconds, serviceDate.description, minutes, late])
    }

    func setState(recordID: String, state: String, approvedMinutes: Int64?, context: EventContext) throws {
        try db.cachedStatement(sql: "UPDATE volunteer_records SET state = ?, approved_minutes = ? WHERE record_id = ?").execute(
                       arguments: [state, approvedMinutes, recordID])
        try appendHistory(recordID: recordID, state: state, context: context)
    }

    func appendHistory(recordID: String, state: String, context: EventContext) throws {
        try db.cachedStatement(sql: """
            INSERT INTO volunteer_record_history (record_id, seq, state, event_id, event_type, at)
            VALUES (?, (SELECT COUNT(*) FROM volunteer_record_history WHERE record_id = ?), ?, ?, ?, ?)
            """).execute(arguments: [recordID, recordID, state, context.eventID, context.type, context.time.text])
    }

    // MARK: Ledger

    func appendLedger(volunteerID: String, recordID: String, kind: String, minutes: Int64, context: EventContext) throws {
        try db.cachedStatement(sql: "INSERT INTO volunteer_ledger (volunteer_id, record_id, kind, minutes, event_id, at) VALUES (?, ?, ?, ?, ?, ?)").execute(
                       arguments: [volunteerID, recordID, kind, minutes, context.eventID, context.time.text])
    }

    // MARK: Corrections and certificates

    func correctionExists(_ id: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM volunteer_corrections WHERE correction_id = ?"), arguments: [id]) ?? false
    }

    func insertCorrection(_ correction: VolunteerEvent.Correction, previousMinutes: Int64, context: EventContext) throws {
        try db.cachedStatement(sql: """
            INSERT INTO volunteer_corrections (correction_id, record_id, previous_minutes, minutes, reason, corrected_by, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [correction.correctionID, correction.recordID, previousMinutes, correction.approvedMinutes,
                             correction.reason, correction.correctedBy, context.eventID])
    }

    func certificateExists(_ id: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM volunteer_certificates WHERE certificate_id = ?"), arguments: [id]) ?? false
    }

    /// The APPROVED records whose service date lies in [from, to]: total minutes, count, organisations.
    func approvedSummary(volunteerID: String, from: LocalDate, to: LocalDate) throws -> (minutes: Int64, count: Int, organizations: [String]) {
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT approved_minutes, organization_id FROM volunteer_records
            WHERE volunteer_id = ? AND state = 'APPROVED' AND service_date >= ? AND service_date <= ?
            """), arguments: [volunteerID, from.description, to.description])
        let minutes = rows.reduce(Int64(0)) { $0 + (($1["approved_minutes"] as Int64?) ?? 0) }
        let organizations = Set(rows.map { $0["organization_id"] as String }).sorted()
        return (minutes, rows.count, organizations)
    }

    func insertCertificate(_ request: VolunteerEvent.CertificateRequest, minutes: Int64, count: Int, organizations: [String],
                           verifyCode: String, context: EventContext) throws {
        let list = String(decoding: JSONWriter.encode(.array(organizations.map(JSONValue.string))), as: UTF8.self)
        try db.cachedStatement(sql: """
            INSERT INTO volunteer_certificates (certificate_id, volunteer_id, from_date, to_date, total_minutes, record_count,
                organizations, verify_code, requested_by, issued_at, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [request.certificateID, request.volunteerID, request.from.description, request.to.description,
                             minutes, count, list, verifyCode, request.requestedBy, context.time.text, context.eventID])
    }
}
