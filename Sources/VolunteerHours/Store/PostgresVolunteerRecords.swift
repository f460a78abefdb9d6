import PostgreSQL
import WorkerRuntime

/// The volunteer-hours records in PostgreSQL: the same rules' reads and writes as `SQLiteVolunteerRecords`.
/// A volunteer's records, ledger and totals travel on the volunteer's partition, so only the identity check
/// spans partitions (see `VolunteerSchema.postgresql`).
///
/// Set-based: a window of events has its reads done ahead (`readAhead`: totals, records, the records near
/// each submitted period or in a certificate's range, identities, correction and certificate ids, record
/// numbers) and answered from memory, kept up to date with what this transaction writes. The writes go as
/// rows of statements over arrays (`RowStatement`), each table's rows of the batch in one statement at the
/// commit. A read not covered ahead is a round trip, as before.
final class PostgresVolunteerRecords: VolunteerRecords {
    let identity: IdentityKey
    let memo: StoreMemo
    let transaction: StoreTransaction
    private let connection: PostgresConnection
    /// Totals read ahead or written in this transaction (nil: known not to exist).
    private var knownTotals: [String: VolunteerTotals?] = [:]
    /// Service records read ahead or written in this transaction (nil: known not to exist).
    private var knownRecords: [String: ServiceRecord?] = [:]
    /// Identity hashes read ahead or registered in this transaction: whether a volunteer holds each.
    private var knownIdentities: [[UInt8]: Bool] = [:]
    /// By volunteer and record id: the records read ahead near submitted periods and in certificates' date
    /// ranges, and those submitted in this transaction, as they stand in it.
    private var recordRows: [String: [String: RecordRow]] = [:]
    /// The submitted periods whose nearby records are all in `recordRows`.
    private var periodsReadAhead: Set<PeriodKey> = []
    /// The certificates' date ranges whose records are all in `recordRows`.
    private var summariesReadAhead: Set<SummaryKey> = []
    /// Correction and certificate ids read ahead or written in this transaction: whether each is taken.
    private var knownCorrections: [String: Bool] = [:]
    private var knownCertificates: [String: Bool] = [:]
    /// By record number: how many history entries the record has (read ahead with the record, or counted on).
    private var historyLengths: [Int64: Int64] = [:]
    /// Record numbers drawn from the table's sequence for the submissions read ahead, the next one last.
    private var freeRecordNumbers: [Int64] = []

    /// A service record as the overlap rule and certificate summaries read it.
    private struct RecordRow {
        let start: Int64
        let end: Int64
        var state: RecordStateMachine.State
        var approvedMinutes: Int64?
        let organizationID: String
        let serviceDate: String
    }

    private struct PeriodKey: Hashable {
        let volunteerID: String
        let start: Int64
        let end: Int64
    }

    private struct SummaryKey: Hashable {
        let volunteerID: String
        let from: LocalDate
        let to: LocalDate
    }

    init(_ transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws {
        self.transaction = transaction
        self.identity = identity
        self.memo = memo
        connection = try transaction.postgres
    }

    // MARK: Reading a window ahead

    func readAhead(_ window: VolunteerReadAhead) throws {
        try readTotals(window.volunteerIDs)
        try readRecords(window.recordIDs + window.submissions.map(\.recordID))
        try readRecordRows(periods: window.submissions, summaries: window.certificates)
        try readIdentities(window.identityNumbers)
        try readTaken(window.correctionIDs, in: "volunteer_corrections", key: "correction_id", into: &knownCorrections)
        try readTaken(window.certificates.map(\.certificateID), in: "volunteer_certificates", key: "certificate_id", into: &knownCertificates)
        if window.submissions.count > freeRecordNumbers.count {
            let numbers = try connection.query("SELECT nextval('volunteer_records_record_no_seq') FROM generate_series(1, $1)",
                                               [.int(window.submissions.count - freeRecordNumbers.count)])
            freeRecordNumbers = ((0..<numbers.rowCount).compactMap { numbers.integer($0, 0) } + freeRecordNumbers).sorted(by: >)
        }
    }

    private func readTotals(_ volunteerIDs: [String]) throws {
        let volunteers = Array(Set(volunteerIDs.filter { knownTotals[$0] == nil }))
        guard !volunteers.isEmpty else { return }
        // One index probe per key, whatever the table's statistics say (see `PostgresStore.sessionSetup`).
        let rows = try connection.queryPlannedEachTime("""
            SELECT t.volunteer_id, t.total_minutes, t.star_level FROM unnest($1::text[]) AS w(id)
            CROSS JOIN LATERAL (SELECT * FROM volunteer_totals WHERE volunteer_id = w.id LIMIT 1) AS t
            """, [.text(PostgresValue.arrayLiteral(volunteers))])
        for volunteer in volunteers { knownTotals[volunteer] = .some(nil) }
        for row in 0..<rows.rowCount {
            guard let id = rows.text(row, 0) else { continue }
            knownTotals[id] = VolunteerTotals(id: id, totalMinutes: rows.integer(row, 1) ?? 0, starLevel: Int(rows.integer(row, 2) ?? 0))
        }
    }

    private func readRecords(_ recordIDs: [String]) throws {
        let records = Array(Set(recordIDs.filter { knownRecords[$0] == nil }))
        guard !records.isEmpty else { return }
        let rows = try connection.queryPlannedEachTime("""
            SELECT \(Self.recordColumns), (SELECT count(*) FROM volunteer_record_history AS h WHERE h.record_no = r.record_no)
            FROM unnest($1::text[]) AS w(id) CROSS JOIN LATERAL (SELECT * FROM volunteer_records WHERE record_id = w.id LIMIT 1) AS r
            """, [.text(PostgresValue.arrayLiteral(records))])
        for record in records { knownRecords[record] = .some(nil) }
        for row in 0..<rows.rowCount {
            guard let record = try Self.serviceRecord(rows, row) else { continue }
            knownRecords[record.id] = record
            historyLengths[record.number] = rows.integer(row, 9) ?? 0
        }
    }

    /// Every record of the volunteers that starts within a submitted period's reach (as `hasOverlap` asks)
    /// or within a certificate's range (as `approvedSummary` asks), whatever its state: the state may change
    /// before the event that reads it is applied.
    private func readRecordRows(periods submissions: [VolunteerEvent.Submission], summaries certificates: [VolunteerEvent.CertificateRequest]) throws {
        let periods = Set(submissions.map { PeriodKey(volunteerID: $0.volunteerID, start: $0.startedAt.epochMicroseconds, end: $0.endedAt.epochMicroseconds) })
            .subtracting(periodsReadAhead)
        let summaries = Set(certificates.filter { $0.from <= $0.to }.map { SummaryKey(volunteerID: $0.volunteerID, from: $0.from, to: $0.to) })
            .subtracting(summariesReadAhead)
        guard !periods.isEmpty || !summaries.isEmpty else { return }
        // Start times from `low` (inclusive) to `high` (exclusive): an overlap's reach starts after its lower bound.
        let ranges = periods.map { ($0.volunteerID, $0.start - ServicePeriod.maximumMicroseconds + 1, $0.end) }
            + summaries.map { ($0.volunteerID, Self.summaryStarts($0).earliest, Self.summaryStarts($0).latest) }
        let rows = try connection.queryPlannedEachTime("""
            SELECT DISTINCT r.record_id, r.volunteer_id, r.state, r.started_us, r.ended_us, r.approved_minutes, r.organization_id, r.service_date
            FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS w(volunteer_id, low, high)
            CROSS JOIN LATERAL (SELECT * FROM volunteer_records
                                WHERE volunteer_id = w.volunteer_id AND started_us >= w.low AND started_us < w.high OFFSET 0) AS r
            """, [.text(PostgresValue.arrayLiteral(ranges.map(\.0))), .text(PostgresValue.arrayLiteral(ranges.map { .integer($0.1) })),
                  .text(PostgresValue.arrayLiteral(ranges.map { .integer($0.2) }))])
        for row in 0..<rows.rowCount {
            guard let recordID = rows.text(row, 0), let volunteerID = rows.text(row, 1), let stateText = rows.text(row, 2) else { continue }
            guard let state = RecordStateMachine.State(rawValue: stateText) else { throw StoreError("record \(recordID) has an unknown state \(stateText)") }
            recordRows[volunteerID, default: [:]][recordID] = RecordRow(
                start: rows.integer(row, 3) ?? 0, end: rows.integer(row, 4) ?? 0, state: state, approvedMinutes: rows.integer(row, 5),
                organizationID: rows.text(row, 6) ?? "", serviceDate: rows.text(row, 7) ?? "")
        }
        periodsReadAhead.formUnion(periods)
        summariesReadAhead.formUnion(summaries)
    }

    /// Correction or certificate ids taken in `table`.
    private func readTaken(_ ids: [String], in table: String, key: String, into known: inout [String: Bool]) throws {
        let unknown = Array(Set(ids.filter { known[$0] == nil }))
        guard !unknown.isEmpty else { return }
        let rows = try connection.queryPlannedEachTime("""
            SELECT t.\(key) FROM unnest($1::text[]) AS w(id) CROSS JOIN LATERAL (SELECT \(key) FROM \(table) WHERE \(key) = w.id LIMIT 1) AS t
            """, [.text(PostgresValue.arrayLiteral(unknown))])
        for id in unknown { known[id] = false }
        for row in 0..<rows.rowCount {
            if let id = rows.text(row, 0) { known[id] = true }
        }
    }

    private func readIdentities(_ numbers: [String]) throws {
        let hashes = Array(Set(numbers.map { identity.hash(ofIdentityNumber: $0) }.filter { knownIdentities[$0] == nil }))
        guard !hashes.isEmpty else { return }
        let rows = try connection.queryPlannedEachTime("""
            SELECT v.identity_hash FROM unnest($1::bytea[]) AS w(hash)
            CROSS JOIN LATERAL (SELECT identity_hash FROM volunteers WHERE identity_hash = w.hash LIMIT 1) AS v
            """,
                                                       [.text(PostgresValue.arrayLiteral(hashes.map(PostgresValue.bytes)))])
        for hash in hashes { knownIdentities[hash] = false }
        for row in 0..<rows.rowCount {
            if let hash = rows.bytes(row, 0) { knownIdentities[hash] = true }
        }
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
        let hash = identity.hash(ofIdentityNumber: number)
        if let known = knownIdentities[hash] { return known }
        return try connection.query("SELECT 1 FROM volunteers WHERE identity_hash = $1", [.bytes(hash)]).rowCount > 0
    }

    func insertVolunteer(_ registration: VolunteerEvent.Registration, at time: Instant) throws {
        let hash = identity.hash(ofIdentityNumber: registration.identityNumber)
        knownTotals[registration.volunteerID] = VolunteerTotals(id: registration.volunteerID, totalMinutes: 0, starLevel: 0)
        knownIdentities[hash] = true
        try connection.sendRow(Self.insertVolunteers, [
            .text(registration.volunteerID), .text(registration.name), .bytes(hash), .text(registration.birthDate.description),
            .text(registration.district), .integer(registration.guardianConsent ? 1 : 0), .text(time.text),
        ])
        try connection.sendRow(Self.insertTotals, [.text(registration.volunteerID)])
    }

    func setTotals(volunteerID: String, totalMinutes: Int64, starLevel: Int) throws {
        knownTotals[volunteerID] = VolunteerTotals(id: volunteerID, totalMinutes: totalMinutes, starLevel: starLevel)
        try connection.sendRow(Self.updateTotals, [.text(volunteerID), .integer(totalMinutes), .int(starLevel)])
    }

    // MARK: Records

    func record(_ id: String) throws -> ServiceRecord? {
        if let known = knownRecords[id] { return known }
        let rows = try connection.query("""
            SELECT \(Self.recordColumns) FROM volunteer_records AS r WHERE record_id = $1
            """, [.text(id)])
        return try Self.serviceRecord(rows, 0)
    }

    /// What `serviceRecord` reads, from a service record named `r`.
    private static let recordColumns = "r.volunteer_id, r.organization_id, r.state, r.started_us, r.ended_us, r.claimed_minutes, r.approved_minutes, r.record_no, r.record_id"

    /// Row `row` of `SELECT \(recordColumns)`, if there is one.
    private static func serviceRecord(_ rows: PostgresResult, _ row: Int) throws -> ServiceRecord? {
        guard row < rows.rowCount else { return nil }
        let id = rows.text(row, 8) ?? ""
        let stateText = rows.text(row, 2) ?? ""
        guard let state = RecordStateMachine.State(rawValue: stateText) else { throw StoreError("record \(id) has an unknown state \(stateText)") }
        return ServiceRecord(number: rows.integer(row, 7) ?? 0, id: id, volunteerID: rows.text(row, 0) ?? "", organizationID: rows.text(row, 1) ?? "",
                             state: state, startedMicroseconds: rows.integer(row, 3) ?? 0, endedMicroseconds: rows.integer(row, 4) ?? 0,
                             claimedMinutes: rows.integer(row, 5) ?? 0, approvedMinutes: rows.integer(row, 6))
    }

    func hasOverlap(volunteerID: String, start: Int64, end: Int64) throws -> Bool {
        if periodsReadAhead.contains(PeriodKey(volunteerID: volunteerID, start: start, end: end)) {
            let reach = start - ServicePeriod.maximumMicroseconds
            return recordRows[volunteerID, default: [:]].values.contains {
                ($0.state == .pending || $0.state == .approved) && $0.start > reach && $0.start < end && $0.end > start
            }
        }
        return try connection.query("""
            SELECT 1 FROM volunteer_records
            WHERE volunteer_id = $1 AND state IN ('PENDING', 'APPROVED') AND started_us > $2 AND started_us < $3 AND ended_us > $4
            LIMIT 1
            """, [.text(volunteerID), .integer(start - ServicePeriod.maximumMicroseconds), .integer(end), .integer(start)]).rowCount > 0
    }

    func insertRecord(_ submission: VolunteerEvent.Submission, serviceDate: LocalDate, minutes: Int64, late: Bool) throws -> Int64? {
        let values: [PostgresValue] = [
            .text(submission.recordID), .text(submission.volunteerID), .text(submission.organizationID), .text(submission.activityID),
            .text(submission.activityName), .text(submission.place), .text(submission.serviceContent), .text(submission.submittedBy),
            .text(submission.startedAt.text), .text(submission.endedAt.text), .integer(submission.startedAt.epochMicroseconds),
            .integer(submission.endedAt.epochMicroseconds), .text(serviceDate.description), .integer(minutes), .integer(late ? 1 : 0),
        ]
        let number: Int64
        if case .some(.none) = knownRecords[submission.recordID], let free = freeRecordNumbers.popLast() {
            // Known free: inserted with the batch's other records. Another instance taking the same id meanwhile
            // fails the batch (a unique violation), which is then applied in parts and finds the id taken.
            number = free
            try connection.sendRow(Self.insertRecords, [.integer(number)] + values)
        } else if case .some(.some) = knownRecords[submission.recordID] {
            return nil
        } else {
            guard let inserted = try connection.query("""
                INSERT INTO volunteer_records (record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content,
                    submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, late, state)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'PENDING') ON CONFLICT (record_id) DO NOTHING
                RETURNING record_no
                """, values).integer(0, 0) else { return nil }
            number = inserted
        }
        let started = submission.startedAt.epochMicroseconds, ended = submission.endedAt.epochMicroseconds
        knownRecords[submission.recordID] = ServiceRecord(
            number: number, id: submission.recordID, volunteerID: submission.volunteerID, organizationID: submission.organizationID,
            state: .pending, startedMicroseconds: started, endedMicroseconds: ended, claimedMinutes: minutes, approvedMinutes: nil)
        recordRows[submission.volunteerID, default: [:]][submission.recordID] = RecordRow(
            start: started, end: ended, state: .pending, approvedMinutes: nil, organizationID: submission.organizationID, serviceDate: serviceDate.description)
        historyLengths[number] = 0
        return number
    }

    func setState(of record: ServiceRecord, to state: RecordStateMachine.State, approvedMinutes: Int64?, historySeq: Int64?, context: EventContext) throws {
        knownRecords[record.id] = ServiceRecord(
            number: record.number, id: record.id, volunteerID: record.volunteerID, organizationID: record.organizationID, state: state,
            startedMicroseconds: record.startedMicroseconds, endedMicroseconds: record.endedMicroseconds, claimedMinutes: record.claimedMinutes,
            approvedMinutes: approvedMinutes)
        if recordRows[record.volunteerID]?[record.id] != nil {
            recordRows[record.volunteerID]?[record.id]?.state = state
            recordRows[record.volunteerID]?[record.id]?.approvedMinutes = approvedMinutes
        }
        try connection.sendRow(Self.updateRecordStates, [.integer(record.number), .text(state.rawValue), .optionalInteger(approvedMinutes)])
        try appendHistory(recordNumber: record.number, state: state, seq: historySeq, context: context)
    }

    func appendHistory(recordNumber: Int64, state: RecordStateMachine.State, seq: Int64?, context: EventContext) throws {
        if let seq = seq ?? historyLengths[recordNumber] {
            historyLengths[recordNumber] = seq + 1
            try connection.sendRow(Self.insertHistory, [.integer(recordNumber), .integer(seq), .text(state.rawValue), .text(context.eventID),
                                                        .text(context.type), .text(context.time.text)])
        } else {
            try connection.send("""
                INSERT INTO volunteer_record_history (record_no, seq, state, event_id, event_type, at)
                VALUES ($1, (SELECT count(*) FROM volunteer_record_history WHERE record_no = $1), $2, $3, $4, $5)
                """, [.integer(recordNumber), .text(state.rawValue), .text(context.eventID), .text(context.type), .text(context.time.text)])
        }
    }

    // MARK: Ledger, corrections and certificates

    func appendLedger(volunteerID: String, recordID: String, kind: LedgerKind, minutes: Int64, context: EventContext) throws {
        try connection.sendRow(Self.insertLedger, [.text(volunteerID), .text(recordID), .text(kind.rawValue), .integer(minutes),
                                                   .text(context.eventID), .text(context.time.text)])
    }

    func correctionExists(_ id: String) throws -> Bool {
        if let known = knownCorrections[id] { return known }
        return try connection.query("SELECT 1 FROM volunteer_corrections WHERE correction_id = $1", [.text(id)]).rowCount > 0
    }

    func insertCorrection(_ correction: VolunteerEvent.Correction, previousMinutes: Int64, context: EventContext) throws {
        knownCorrections[correction.correctionID] = true
        try connection.sendRow(Self.insertCorrections, [
            .text(correction.correctionID), .text(correction.recordID), .integer(previousMinutes), .integer(correction.approvedMinutes),
            .text(correction.reason), .text(correction.correctedBy), .text(context.eventID),
        ])
    }

    func certificateExists(_ id: String) throws -> Bool {
        if let known = knownCertificates[id] { return known }
        return try connection.query("SELECT 1 FROM volunteer_certificates WHERE certificate_id = $1", [.text(id)]).rowCount > 0
    }

    /// As in SQLite: found by start time, a day wider on each side than the dates, then kept by service date.
    func approvedSummary(volunteerID: String, from: LocalDate, to: LocalDate) throws -> ApprovedSummary {
        let starts = Self.summaryStarts(SummaryKey(volunteerID: volunteerID, from: from, to: to))
        let first = from.description, last = to.description
        if summariesReadAhead.contains(SummaryKey(volunteerID: volunteerID, from: from, to: to)) {
            let counted = recordRows[volunteerID, default: [:]].values.filter {
                $0.state == .approved && $0.start >= starts.earliest && $0.start < starts.latest && $0.serviceDate >= first && $0.serviceDate <= last
            }
            return ApprovedSummary(minutes: counted.reduce(0) { $0 + ($1.approvedMinutes ?? 0) }, count: counted.count,
                                   organizations: Set(counted.map(\.organizationID)).sorted())
        }
        let rows = try connection.query("""
            SELECT approved_minutes, organization_id FROM volunteer_records
            WHERE volunteer_id = $1 AND started_us >= $2 AND started_us < $3 AND state = 'APPROVED' AND service_date >= $4 AND service_date <= $5
            """, [.text(volunteerID), .integer(starts.earliest), .integer(starts.latest), .text(first), .text(last)])
        let minutes = (0..<rows.rowCount).reduce(Int64(0)) { $0 + (rows.integer($1, 0) ?? 0) }
        let organizations = Set((0..<rows.rowCount).compactMap { rows.text($0, 1) }).sorted()
        return ApprovedSummary(minutes: minutes, count: rows.rowCount, organizations: organizations)
    }

    /// The start times (epoch microseconds, from inclusive, to exclusive) of the records a summary looks at.
    private static func summaryStarts(_ key: SummaryKey) -> (earliest: Int64, latest: Int64) {
        let microsecondsPerDay: Int64 = 86_400 * 1_000_000
        return (Int64(key.from.daysSinceEpoch - 1) * microsecondsPerDay, Int64(key.to.daysSinceEpoch + 2) * microsecondsPerDay)
    }

    func insertCertificate(_ request: VolunteerEvent.CertificateRequest, minutes: Int64, count: Int, organizations: [String],
                           verifyCode: String, context: EventContext) throws {
        knownCertificates[request.certificateID] = true
        let list = String(decoding: JSONWriter.encode(.array(organizations.map(JSONValue.string))), as: UTF8.self)
        try connection.sendRow(Self.insertCertificates, [
            .text(request.certificateID), .text(request.volunteerID), .text(request.from.description), .text(request.to.description),
            .integer(minutes), .int(count), .text(list), .text(verifyCode), .text(request.requestedBy), .text(context.time.text), .text(context.eventID),
        ])
    }

    // MARK: Statements over arrays (`PostgresConnection.sendRow`)

    private static let insertVolunteers = RowStatement(insert: """
        INSERT INTO volunteers (volunteer_id, name, identity_hash, birth_date, district, guardian_consent, registered_at)
        SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $5::text[], $6::integer[], $7::text[])
        """, columns: 7)
    private static let insertTotals = RowStatement(insert: """
        INSERT INTO volunteer_totals (volunteer_id, total_minutes, star_level) SELECT id, 0, 0 FROM unnest($1::text[]) AS r(id)
        """, columns: 1)
    private static let updateTotals = RowStatement(update: """
        UPDATE volunteer_totals SET total_minutes = r.minutes, star_level = r.level
        FROM unnest($1::text[], $2::bigint[], $3::integer[]) AS r(id, minutes, level) WHERE volunteer_id = r.id
        """, columns: 3, key: 0)
    private static let insertRecords = RowStatement(insert: """
        INSERT INTO volunteer_records (record_no, record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content,
            submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, late, state)
        SELECT *, 'PENDING' FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[], $12::bigint[], $13::bigint[], $14::text[], $15::bigint[], $16::integer[])
        """, columns: 16)
    private static let updateRecordStates = RowStatement(update: """
        UPDATE volunteer_records SET state = r.state, approved_minutes = r.minutes
        FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS r(no, state, minutes) WHERE record_no = r.no
        """, columns: 3, key: 0)
    private static let insertHistory = RowStatement(insert: """
        INSERT INTO volunteer_record_history (record_no, seq, state, event_id, event_type, at)
        SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[])
        """, columns: 6)
    private static let insertLedger = RowStatement(insert: """
        INSERT INTO volunteer_ledger (volunteer_id, record_id, kind, minutes, event_id, at)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[])
        """, columns: 6)
    private static let insertCorrections = RowStatement(insert: """
        INSERT INTO volunteer_corrections (correction_id, record_id, previous_minutes, minutes, reason, corrected_by, event_id)
        SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[])
        """, columns: 7)
    private static let insertCertificates = RowStatement(insert: """
        INSERT INTO volunteer_certificates (certificate_id, volunteer_id, from_date, to_date, total_minutes, record_count,
            organizations, verify_code, requested_by, issued_at, event_id)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::integer[], $7::text[], $8::text[],
            $9::text[], $10::text[], $11::text[])
        """, columns: 11)
}
