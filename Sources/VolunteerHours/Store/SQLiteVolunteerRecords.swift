import Foundation
import GRDB
import WorkerRuntime

/// The volunteer-hours records in SQLite: all of the domain's SQL. The per-event statements bind and read
/// through SQLite's C API (`FastStatement`), where GRDB's argument arrays and row decoding cost more than
/// the SQL itself; they are prepared once per transaction, when the records are opened.
final class SQLiteVolunteerRecords: VolunteerRecords {
    /// Identity numbers are kept only as keyed hashes made with this key.
    let identity: IdentityKey
    let memo: StoreMemo
    let transaction: StoreTransaction
    /// The connection inside `transaction`.
    let db: Database
    private let selectTotals: FastStatement
    private let insertTotals: FastStatement
    private let updateTotals: FastStatement
    private let selectRecord: FastStatement
    private let overlap: FastStatement
    private let insertRecordRow: FastStatement
    private let updateState: FastStatement
    private let historyAt: FastStatement
    private let historyAfterLast: FastStatement
    private let ledgerEntry: FastStatement
    private let recordKeys: LeveledIdIndex
    private let identityKeys: LeveledIdIndex
    private let identityFiled: FastStatement

    init(_ transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws {
        self.transaction = transaction
        self.identity = identity
        self.memo = memo
        db = try transaction.sqlite
        selectTotals = try FastStatement(db, sql: "SELECT total_minutes, star_level FROM volunteer_totals WHERE volunteer_id = ?")
        insertTotals = try FastStatement(db, sql: "INSERT INTO volunteer_totals (volunteer_id, total_minutes, star_level) VALUES (?, 0, 0)")
        updateTotals = try FastStatement(db, sql: "UPDATE volunteer_totals SET total_minutes = ?, star_level = ? WHERE volunteer_id = ?")
        selectRecord = try FastStatement(db, sql: """
            SELECT volunteer_id, organization_id, state, started_us, ended_us, claimed_minutes, approved_minutes, record_no
            FROM volunteer_records WHERE record_no IN (\(LeveledIdIndex.rowNumbers("volunteer_record_keys", keyParameter: 1))) AND record_id = ?2
            """)
        overlap = try FastStatement(db, sql: """
            SELECT 1 FROM volunteer_records
            WHERE volunteer_id = ? AND state IN ('PENDING', 'APPROVED')
              AND started_us > ? AND started_us < ? AND ended_us > ?
            LIMIT 1
            """)
        insertRecordRow = try FastStatement(db, sql: """
            INSERT INTO volunteer_records (record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content,
                submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, late, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING')
            """)
        recordKeys = try LeveledIdIndex(db, name: "volunteer_record_keys")
        identityKeys = try LeveledIdIndex(db, name: "volunteer_identity_keys")
        identityFiled = try FastStatement(db, sql: LeveledIdIndex.containsEntry("volunteer_identity_keys", keyParameter: 1, rowParameter: 2))
        updateState = try FastStatement(db, sql: "UPDATE volunteer_records SET state = ?, approved_minutes = ? WHERE record_no = ?")
        historyAt = try FastStatement(db, sql: """
            INSERT INTO volunteer_record_history (record_no, seq, state, event_id, event_type, at) VALUES (?, ?, ?, ?, ?, ?)
            """)
        historyAfterLast = try FastStatement(db, sql: """
            INSERT INTO volunteer_record_history (record_no, seq, state, event_id, event_type, at)
            VALUES (?1, (SELECT COUNT(*) FROM volunteer_record_history WHERE record_no = ?1), ?2, ?3, ?4, ?5)
            """)
        ledgerEntry = try FastStatement(db, sql: "INSERT INTO volunteer_ledger (volunteer_id, record_id, kind, minutes, event_id, at) VALUES (?, ?, ?, ?, ?, ?)")
    }

    // MARK: Volunteers

    func volunteer(_ id: String) throws -> VolunteerTotals? {
        try selectTotals.row(.text(id)) {
            VolunteerTotals(id: id, totalMinutes: $0.integer(0), starLevel: Int($0.integer(1)))
        }
    }

    /// Whether a registered volunteer has the number: its keyed hash is filed in `volunteer_identity_keys`.
    func identityBelongsToAnother(_ number: String) throws -> Bool {
        let entry = LeveledIdIndex.entry(ofDigest: identity.hash(ofIdentityNumber: number))
        return try identityFiled.integer(.integer(entry.key), .integer(entry.row)) == 1
    }

    func insertVolunteer(_ registration: VolunteerEvent.Registration, at time: Instant) throws {
        let hash = identity.hash(ofIdentityNumber: registration.identityNumber)
        try db.cachedStatement(sql: """
            INSERT INTO volunteers (volunteer_id, name, identity_hash, birth_date, district, guardian_consent, registered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [registration.volunteerID, registration.name, Data(hash),
                             registration.birthDate.description, registration.district, registration.guardianConsent, time.text])
        let entry = LeveledIdIndex.entry(ofDigest: hash)
        try identityKeys.insert(key: entry.key, row: entry.row)
        try insertTotals.execute(.text(registration.volunteerID))
    }

    /// Registration never goes away: once found, the memo answers for the volunteer.
    func isRegistered(_ volunteerID: String) throws -> Bool {
        try memo.value(for: "registered:" + volunteerID, in: transaction, fetch: { try volunteer(volunteerID).map { _ in "" } }) != nil
    }

    func setTotals(volunteerID: String, totalMinutes: Int64, starLevel: Int) throws {
        try updateTotals
            .execute(.integer(totalMinutes), .int(starLevel), .text(volunteerID))
    }

    // MARK: Records

    func record(_ id: String) throws -> ServiceRecord? {
        try selectRecord.row(.integer(LeveledIdIndex.key(of: id)), .text(id)) {
            (number: $0.integer(7), volunteerID: $0.text(0), organizationID: $0.text(1), state: $0.text(2), startedMicroseconds: $0.integer(3),
             endedMicroseconds: $0.integer(4), claimedMinutes: $0.integer(5), approvedMinutes: $0.optionalInteger(6))
        }.map { row in
            guard let state = RecordStateMachine.State(rawValue: row.state) else { throw StoreError("record \(id) has an unknown state \(row.state)") }
            return ServiceRecord(number: row.number, id: id, volunteerID: row.volunteerID, organizationID: row.organizationID, state: state,
                                 startedMicroseconds: row.startedMicroseconds, endedMicroseconds: row.endedMicroseconds, claimedMinutes: row.claimedMinutes,
                                 approvedMinutes: row.approvedMinutes)
        }
    }

    /// Whether a PENDING or APPROVED record of the volunteer overlaps the period. Periods last at most
    /// 24 hours, so only records starting within 24 hours before the new end are looked at (through
    /// `volunteer_periods`; their state is read from the table).
    func hasOverlap(volunteerID: String, start: Int64, end: Int64) throws -> Bool {
        try overlap.exists(.text(volunteerID), .integer(start - ServicePeriod.maximumMicroseconds), .integer(end), .integer(start))
    }

    /// Inserts a new PENDING record and returns its number; nil (and nothing written) when the record id is taken.
    func insertRecord(_ submission: VolunteerEvent.Submission, serviceDate: LocalDate, minutes: Int64, late: Bool) throws -> Int64? {
        let key = LeveledIdIndex.key(of: submission.recordID)
        if try selectRecord.exists(.integer(key), .text(submission.recordID)) { return nil }
        try insertRecordRow.execute(.text(submission.recordID), .text(submission.volunteerID), .text(submission.organizationID), .text(submission.activityID),
                         .text(submission.activityName), .text(submission.place), .text(submission.serviceContent), .text(submission.submittedBy),
                         .text(submission.startedAt.text), .text(submission.endedAt.text), .integer(submission.startedAt.epochMicroseconds),
                         .integer(submission.endedAt.epochMicroseconds), .text(serviceDate.description), .integer(minutes), .bool(late))
        let number = db.lastInsertedRowID
        try recordKeys.insert(key: key, row: number)
        return number
    }

    /// Moves a record to `state` and appends the move to its history. `historySeq` is the entry's position
    /// when the caller knows it (a PENDING record has exactly its submission behind it), else it is counted.
    func setState(of record: ServiceRecord, to state: RecordStateMachine.State, approvedMinutes: Int64?, historySeq: Int64?, context: EventContext) throws {
        try updateState
            .execute(.text(state.rawValue), .optionalInteger(approvedMinutes), .integer(record.number))
        try appendHistory(recordNumber: record.number, state: state, seq: historySeq, context: context)
    }

    /// Appends a history entry at `seq`, or after the record's last one when `seq` is nil.
    func appendHistory(recordNumber: Int64, state: RecordStateMachine.State, seq: Int64?, context: EventContext) throws {
        if let seq {
            try historyAt.execute(.integer(recordNumber), .integer(seq), .text(state.rawValue), .text(context.eventID), .text(context.type), .text(context.time.text))
        } else {
            try historyAfterLast.execute(.integer(recordNumber), .text(state.rawValue), .text(context.eventID), .text(context.type), .text(context.time.text))
        }
    }

    // MARK: Ledger

    func appendLedger(volunteerID: String, recordID: String, kind: LedgerKind, minutes: Int64, context: EventContext) throws {
        try ledgerEntry
            .execute(.text(volunteerID), .text(recordID), .text(kind.rawValue), .integer(minutes), .text(context.eventID), .text(context.time.text))
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
    /// They are found through `volunteer_periods` by start time, a day wider on each side than the dates
    /// (a service date is the Asia/Shanghai date of the start), and then kept by their service date.
    func approvedSummary(volunteerID: String, from: LocalDate, to: LocalDate) throws -> ApprovedSummary {
        let microsecondsPerDay: Int64 = 86_400 * 1_000_000
        let earliest = Int64(from.daysSinceEpoch - 1) * microsecondsPerDay, latest = Int64(to.daysSinceEpoch + 2) * microsecondsPerDay
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT approved_minutes, organization_id FROM volunteer_records INDEXED BY volunteer_periods
            WHERE volunteer_id = ? AND started_us >= ? AND started_us < ?
              AND state = 'APPROVED' AND service_date >= ? AND service_date <= ?
            """), arguments: [volunteerID, earliest, latest, from.description, to.description])
        let minutes = rows.reduce(Int64(0)) { $0 + (($1["approved_minutes"] as Int64?) ?? 0) }
        let organizations = Set(rows.map { $0["organization_id"] as String }).sorted()
        return ApprovedSummary(minutes: minutes, count: rows.count, organizations: organizations)
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
