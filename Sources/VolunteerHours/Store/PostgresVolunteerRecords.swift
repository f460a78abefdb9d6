import PostgreSQL
import WorkerRuntime

/// The volunteer-hours records in PostgreSQL: the same statements as `SQLiteVolunteerRecords`, prepared
/// once per connection. A volunteer's records, ledger and totals travel on the volunteer's partition, so
/// only the identity check spans partitions (see `VolunteerSchema.postgresql`).
final class PostgresVolunteerRecords: VolunteerRecords {
    let identity: IdentityKey
    let memo: StoreMemo
    let transaction: StoreTransaction
    private let connection: PostgresConnection
    /// Totals read ahead or written in this transaction (nil: known not to exist).
    private var knownTotals: [String: VolunteerTotals?] = [:]
    /// Service records read ahead in this transaction and not changed since (nil: known not to exist).
    private var knownRecords: [String: ServiceRecord?] = [:]

    init(_ transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws {
        self.transaction = transaction
        self.identity = identity
        self.memo = memo
        connection = try transaction.postgres
    }

    // MARK: Volunteers

    func volunteer(_ id: String) throws -> VolunteerTotals? {
        if let known = knownTotals[id] { return known }
        let row = try connection.query("SELECT total_minutes, star_level FROM volunteer_totals WHERE volunteer_id = $1", [.text(id)])
        guard row.rowCount > 0 else { return nil }
        return VolunteerTotals(id: id, totalMinutes: row.integer(0, 0) ?? 0, starLevel: Int(row.integer(0, 1) ?? 0))
    }

    func isRegistered(_ volunteerID: String) throws -> Bool {
        try memo.value(for: "registered:" + volunteerID, in: transaction, fetch: { try volunteer(volunteerID).map { _ in "" } }) != nil
    }

    func identityBelongsToAnother(_ number: String) throws -> Bool {
        try connection.query("SELECT 1 FROM volunteers WHERE identity_hash = $1", [.bytes(identity.hash(ofIdentityNumber: number))]).rowCount > 0
    }

    func insertVolunteer(_ registration: VolunteerEvent.Registration, at time: Instant) throws {
        knownTotals[registration.volunteerID] = VolunteerTotals(id: registration.volunteerID, totalMinutes: 0, starLevel: 0)
        try connection.send("""
            INSERT INTO volunteers (volunteer_id, name, identity_hash, birth_date, district, guardian_consent, registered_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [.text(registration.volunteerID), .text(registration.name), .bytes(identity.hash(ofIdentityNumber: registration.identityNumber)),
                  .text(registration.birthDate.description), .text(registration.district), .integer(registration.guardianConsent ? 1 : 0), .text(time.text)])
        try connection.send("INSERT INTO volunteer_totals (volunteer_id, total_minutes, star_level) VALUES ($1, 0, 0)", [.text(registration.volunteerID)])
    }

    func setTotals(volunteerID: String, totalMinutes: Int64, starLevel: Int) throws {
        knownTotals[volunteerID] = VolunteerTotals(id: volunteerID, totalMinutes: totalMinutes, starLevel: starLevel)
        try connection.send("UPDATE volunteer_totals SET total_minutes = $1, star_level = $2 WHERE volunteer_id = $3",
                             [.integer(totalMinutes), .int(starLevel), .text(volunteerID)])
    }

    // MARK: Records

    func record(_ id: String) throws -> ServiceRecord? {
        if let known = knownRecords[id] { return known }
        let rows = try connection.query("""
            SELECT volunteer_id, organization_id, state, started_us, ended_us, claimed_minutes, approved_minutes, record_no, record_id
            FROM volunteer_records WHERE record_id = $1
            """, [.text(id)])
        return try Self.serviceRecord(rows, 0)
    }

    /// Row `row` of `SELECT volunteer_id, organization_id, state, started_us, ended_us, claimed_minutes,
    /// approved_minutes, record_no, record_id`, if there is one.
    private static func serviceRecord(_ rows: PostgresResult, _ row: Int) throws -> ServiceRecord? {
        guard row < rows.rowCount else { return nil }
        let id = rows.text(row, 8) ?? ""
        let stateText = rows.text(row, 2) ?? ""
        guard let state = RecordStateMachine.State(rawValue: stateText) else { throw StoreError("record \(id) has an unknown state \(stateText)") }
        return ServiceRecord(number: rows.integer(row, 7) ?? 0, id: id, volunteerID: rows.text(row, 0) ?? "", organizationID: rows.text(row, 1) ?? "",
                             state: state, startedMicroseconds: rows.integer(row, 3) ?? 0, endedMicroseconds: rows.integer(row, 4) ?? 0,
                             claimedMinutes: rows.integer(row, 5) ?? 0, approvedMinutes: rows.integer(row, 6))
    }

    func readAhead(volunteerIDs: [String], recordIDs: [String]) throws {
        let volunteers = Array(Set(volunteerIDs.filter { knownTotals[$0] == nil }))
        if !volunteers.isEmpty {
            // Planned each time: a plan cached while the table was small would scan it.
            let rows = try connection.queryPlannedEachTime("""
                SELECT volunteer_id, total_minutes, star_level FROM volunteer_totals WHERE volunteer_id = ANY($1::text[])
                """, [.text(PostgresValue.arrayLiteral(volunteers))])
            for volunteer in volunteers { knownTotals[volunteer] = .some(nil) }
            for row in 0..<rows.rowCount {
                guard let id = rows.text(row, 0) else { continue }
                knownTotals[id] = VolunteerTotals(id: id, totalMinutes: rows.integer(row, 1) ?? 0, starLevel: Int(rows.integer(row, 2) ?? 0))
            }
        }
        let records = Array(Set(recordIDs.filter { knownRecords[$0] == nil }))
        if !records.isEmpty {
            let rows = try connection.queryPlannedEachTime("""
                SELECT volunteer_id, organization_id, state, started_us, ended_us, claimed_minutes, approved_minutes, record_no, record_id
                FROM volunteer_records WHERE record_id = ANY($1::text[])
                """, [.text(PostgresValue.arrayLiteral(records))])
            for record in records { knownRecords[record] = .some(nil) }
            for row in 0..<rows.rowCount {
                if let record = try Self.serviceRecord(rows, row) { knownRecords[record.id] = record }
            }
        }
    }

    func hasOverlap(volunteerID: String, start: Int64, end: Int64) throws -> Bool {
        try connection.query("""
            SELECT 1 FROM volunteer_records
            WHERE volunteer_id = $1 AND state IN ('PENDING', 'APPROVED') AND started_us > $2 AND started_us < $3 AND ended_us > $4
            LIMIT 1
            """, [.text(volunteerID), .integer(start - ServicePeriod.maximumMicroseconds), .integer(end), .integer(start)]).rowCount > 0
    }

    func insertRecord(_ submission: VolunteerEvent.Submission, serviceDate: LocalDate, minutes: Int64, late: Bool) throws -> Int64? {
        knownRecords[submission.recordID] = nil
        return try connection.query("""
            INSERT INTO volunteer_records (record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content,
                submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, late, state)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'PENDING') ON CONFLICT (record_id) DO NOTHING
            RETURNING record_no
            """, [.text(submission.recordID), .text(submission.volunteerID), .text(submission.organizationID), .text(submission.activityID),
                  .text(submission.activityName), .text(submission.place), .text(submission.serviceContent), .text(submission.submittedBy),
                  .text(submission.startedAt.text), .text(submission.endedAt.text), .integer(submission.startedAt.epochMicroseconds),
                  .integer(submission.endedAt.epochMicroseconds), .text(serviceDate.description), .integer(minutes), .integer(late ? 1 : 0)])
            .integer(0, 0)
    }

    func setState(of record: ServiceRecord, to state: RecordStateMachine.State, approvedMinutes: Int64?, historySeq: Int64?, context: EventContext) throws {
        knownRecords[record.id] = nil
        try connection.send("UPDATE volunteer_records SET state = $1, approved_minutes = $2 WHERE record_no = $3",
                             [.text(state.rawValue), .optionalInteger(approvedMinutes), .integer(record.number)])
        try appendHistory(recordNumber: record.number, state: state, seq: historySeq, context: context)
    }

    func appendHistory(recordNumber: Int64, state: RecordStateMachine.State, seq: Int64?, context: EventContext) throws {
        if let seq {
            try connection.send("""
                INSERT INTO volunteer_record_history (record_no, seq, state, event_id, event_type, at) VALUES ($1, $2, $3, $4, $5, $6)
                """, [.integer(recordNumber), .integer(seq), .text(state.rawValue), .text(context.eventID), .text(context.type), .text(context.time.text)])
        } else {
            try connection.send("""
                INSERT INTO volunteer_record_history (record_no, seq, state, event_id, event_type, at)
                VALUES ($1, (SELECT count(*) FROM volunteer_record_history WHERE record_no = $1), $2, $3, $4, $5)
                """, [.integer(recordNumber), .text(state.rawValue), .text(context.eventID), .text(context.type), .text(context.time.text)])
        }
    }

    // MARK: Ledger, corrections and certificates

    func appendLedger(volunteerID: String, recordID: String, kind: LedgerKind, minutes: Int64, context: EventContext) throws {
        try connection.send("INSERT INTO volunteer_ledger (volunteer_id, record_id, kind, minutes, event_id, at) VALUES ($1, $2, $3, $4, $5, $6)",
                             [.text(volunteerID), .text(recordID), .text(kind.rawValue), .integer(minutes), .text(context.eventID), .text(context.time.text)])
    }

    func correctionExists(_ id: String) throws -> Bool {
        try connection.query("SELECT 1 FROM volunteer_corrections WHERE correction_id = $1", [.text(id)]).rowCount > 0
    }

    func insertCorrection(_ correction: VolunteerEvent.Correction, previousMinutes: Int64, context: EventContext) throws {
        try connection.send("""
            INSERT INTO volunteer_corrections (correction_id, record_id, previous_minutes, minutes, reason, corrected_by, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [.text(correction.correctionID), .text(correction.recordID), .integer(previousMinutes), .integer(correction.approvedMinutes),
                  .text(correction.reason), .text(correction.correctedBy), .text(context.eventID)])
    }

    func certificateExists(_ id: String) throws -> Bool {
        try connection.query("SELECT 1 FROM volunteer_certificates WHERE certificate_id = $1", [.text(id)]).rowCount > 0
    }

    /// As in SQLite: found by start time, a day wider on each side than the dates, then kept by service date.
    func approvedSummary(volunteerID: String, from: LocalDate, to: LocalDate) throws -> ApprovedSummary {
        let microsecondsPerDay: Int64 = 86_400 * 1_000_000
        let earliest = Int64(from.daysSinceEpoch - 1) * microsecondsPerDay, latest = Int64(to.daysSinceEpoch + 2) * microsecondsPerDay
        let rows = try connection.query("""
            SELECT approved_minutes, organization_id FROM volunteer_records
            WHERE volunteer_id = $1 AND started_us >= $2 AND started_us < $3 AND state = 'APPROVED' AND service_date >= $4 AND service_date <= $5
            """, [.text(volunteerID), .integer(earliest), .integer(latest), .text(from.description), .text(to.description)])
        let minutes = (0..<rows.rowCount).reduce(Int64(0)) { $0 + (rows.integer($1, 0) ?? 0) }
        let organizations = Set((0..<rows.rowCount).compactMap { rows.text($0, 1) }).sorted()
        return ApprovedSummary(minutes: minutes, count: rows.rowCount, organizations: organizations)
    }

    func insertCertificate(_ request: VolunteerEvent.CertificateRequest, minutes: Int64, count: Int, organizations: [String],
                           verifyCode: String, context: EventContext) throws {
        let list = String(decoding: JSONWriter.encode(.array(organizations.map(JSONValue.string))), as: UTF8.self)
        try connection.send("""
            INSERT INTO volunteer_certificates (certificate_id, volunteer_id, from_date, to_date, total_minutes, record_count,
                organizations, verify_code, requested_by, issued_at, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """, [.text(request.certificateID), .text(request.volunteerID), .text(request.from.description), .text(request.to.description),
                  .integer(minutes), .int(count), .text(list), .text(verifyCode), .text(request.requestedBy), .text(context.time.text), .text(context.eventID)])
    }
}
