import PostgreSQL
import WorkerRuntime

/// The mutual-aid records in PostgreSQL: the same statements as `SQLiteClaimRecords`, prepared once per
/// connection. Claims are keyed by member, so a member's caps are read and written on one partition only.
final class PostgresClaimRecords: ClaimRecords {
    let identity: IdentityKey
    let memo: StoreMemo
    let transaction: StoreTransaction
    private let connection: PostgresConnection

    init(_ transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws {
        self.transaction = transaction
        self.identity = identity
        self.memo = memo
        connection = try transaction.postgres
    }

    // MARK: Members and enrolments

    func communityID(of memberID: String) throws -> String? {
        try connection.query("SELECT community_id FROM ma_members WHERE member_id = $1", [.text(memberID)]).text(0, 0)
    }

    func identityBelongsToAnother(_ number: String, memberID: String) throws -> Bool {
        let owner = try connection.query("SELECT member_id FROM ma_members WHERE identity_hash = $1", [.bytes(identity.hash(ofIdentityNumber: number))]).text(0, 0)
        return owner != nil && owner != memberID
    }

    func upsertMember(_ enrolment: ClaimEvent.Enrolment) throws {
        try connection.send("""
            INSERT INTO ma_members (member_id, name, identity_hash, community_id) VALUES ($1, $2, $3, $4)
            ON CONFLICT (member_id) DO UPDATE SET name = excluded.name, community_id = excluded.community_id
            """, [.text(enrolment.memberID), .text(enrolment.name), .bytes(identity.hash(ofIdentityNumber: enrolment.identityNumber)), .text(enrolment.communityID)])
    }

    func rememberedEnrolment(memberID: String, planYear: Int) throws -> MemberEnrolment? {
        let fact = try memo.value(for: "enrolment:\(planYear):" + memberID, in: transaction) {
            try enrolment(memberID: memberID, planYear: planYear).map { "\($0.coverageFrom)|\($0.waitingUntil?.description ?? "")" }
        }
        guard let fact else { return nil }
        let parts = fact.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 2, let coverageFrom = LocalDate(iso: String(parts[0])) else { return try enrolment(memberID: memberID, planYear: planYear) }
        return MemberEnrolment(planYear: planYear, coverageFrom: coverageFrom, waitingUntil: LocalDate(iso: String(parts[1])))
    }

    func enrolment(memberID: String, planYear: Int) throws -> MemberEnrolment? {
        let row = try connection.query("SELECT coverage_from, waiting_until FROM ma_enrolments WHERE member_id = $1 AND plan_year = $2",
                                       [.text(memberID), .int(planYear)])
        guard row.rowCount > 0 else { return nil }
        return MemberEnrolment(planYear: planYear,
                               coverageFrom: row.text(0, 0).flatMap(LocalDate.init(iso:)) ?? LocalDate(year: planYear, month: 1, day: 1) ?? LocalDate(daysSinceEpoch: 0),
                               waitingUntil: row.text(0, 1).flatMap(LocalDate.init(iso:)))
    }

    func insertEnrolment(_ enrolment: ClaimEvent.Enrolment, coverageFrom: LocalDate, waitingUntil: LocalDate?, renewal: Bool,
                         ruleVersion: String, context: EventContext) throws {
        try connection.send("""
            INSERT INTO ma_enrolments (member_id, plan_year, enrolled_on, coverage_from, waiting_until, renewal, contribution_fen, rule_version, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, [.text(enrolment.memberID), .int(enrolment.planYear), .text(enrolment.enrolledOn.description), .text(coverageFrom.description),
                  .optionalText(waitingUntil?.description), .integer(renewal ? 1 : 0), .integer(enrolment.contributionFen), .text(ruleVersion),
                  .text(context.eventID)])
    }

    // MARK: Claims

    func claim(_ id: String) throws -> ClaimRecord? {
        let row = try connection.query("""
            SELECT member_id, risk_code, incident_date, plan_year, status, documents, hospital_days, self_paid_fen, disability_grade, approved_fen,
                history_count, claim_no
            FROM ma_claims WHERE claim_id = $1
            """, [.text(id)])
        guard row.rowCount > 0 else { return nil }
        return ClaimRecord(rowID: row.integer(0, 11) ?? 0, id: id, memberID: row.text(0, 0) ?? "", riskCode: row.text(0, 1) ?? "",
                           incidentDate: row.text(0, 2).flatMap(LocalDate.init(iso:)) ?? LocalDate(daysSinceEpoch: 0), planYear: Int(row.integer(0, 3) ?? 0),
                           status: ClaimStateMachine.State(rawValue: row.text(0, 4) ?? "") ?? .rejected, documents: ClaimDocuments.decode(row.text(0, 5)),
                           hospitalDays: row.integer(0, 6), selfPaidFen: row.integer(0, 7), disabilityGrade: row.integer(0, 8),
                           approvedFen: row.integer(0, 9), historyCount: row.integer(0, 10) ?? 0)
    }

    func hasSameClaim(memberID: String, riskCode: String, incidentDate: LocalDate) throws -> Bool {
        try connection.query("""
            SELECT 1 FROM ma_claims WHERE member_id = $1 AND risk_code = $2 AND incident_date = $3 AND status NOT IN ('REJECTED', 'WITHDRAWN') LIMIT 1
            """, [.text(memberID), .text(riskCode), .text(incidentDate.description)]).rowCount > 0
    }

    func insertClaim(_ submission: ClaimEvent.Submission, planYear: Int, status: ClaimStateMachine.State, reasonCode: String?,
                     missing: [String], ruleVersion: String, context: EventContext) throws -> Bool {
        let inserted = try connection.query("""
            INSERT INTO ma_claims (claim_id, member_id, risk_code, incident_date, plan_year, status, documents, missing_documents, hospital_days,
                self_paid_fen, disability_grade, reason_code, rule_version, submitted_at, history_count)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1) ON CONFLICT (claim_id) DO NOTHING
            """, [.text(submission.claimID), .text(submission.memberID), .text(submission.riskCode), .text(submission.incidentDate.description),
                  .int(planYear), .text(status.rawValue), .text(ClaimDocuments.encode(submission.documents)), .text(ClaimDocuments.encode(missing)),
                  .optionalInteger(submission.hospitalDays), .optionalInteger(submission.selfPaidFen), .optionalInteger(submission.disabilityGrade),
                  .optionalText(reasonCode), .text(ruleVersion), .text(context.time.text)]).affectedRows
        guard inserted > 0 else { return false }
        try appendHistory(claimID: submission.claimID, status: status, seq: 0, context: context)
        return true
    }

    func setDocuments(of claim: ClaimRecord, documents: [String], missing: [String]) throws {
        try connection.send("UPDATE ma_claims SET documents = $1, missing_documents = $2 WHERE claim_no = $3",
                             [.text(ClaimDocuments.encode(documents)), .text(ClaimDocuments.encode(missing)), .integer(claim.rowID)])
    }

    func setStatus(_ claim: ClaimRecord, status: ClaimStateMachine.State, context: EventContext, reasonCode: String?,
                   approvedFen: Int64?, cappedBy: String?, paidFen: Int64?, ruleVersion: String?) throws {
        try connection.send("""
            UPDATE ma_claims SET status = $1, missing_documents = CASE WHEN $1 = 'DOCUMENTS_REQUESTED' THEN missing_documents ELSE '[]' END,
                reason_code = coalesce($2, reason_code), approved_fen = coalesce($3, approved_fen),
                capped_by = coalesce($4, capped_by), paid_fen = coalesce($5, paid_fen), rule_version = coalesce($6, rule_version),
                history_count = $7
            WHERE claim_no = $8
            """, [.text(status.rawValue), .optionalText(reasonCode), .optionalInteger(approvedFen), .optionalText(cappedBy),
                  .optionalInteger(paidFen), .optionalText(ruleVersion), .integer(claim.historyCount + 1), .integer(claim.rowID)])
        try appendHistory(claimID: claim.id, status: status, seq: claim.historyCount, context: context)
    }

    func appendHistory(claimID: String, status: ClaimStateMachine.State, seq: Int64, context: EventContext) throws {
        try connection.send("INSERT INTO ma_claim_history (claim_id, seq, status, at, event_id, event_type) VALUES ($1, $2, $3, $4, $5, $6)",
                             [.text(claimID), .integer(seq), .text(status.rawValue), .text(context.time.text), .text(context.eventID), .text(context.type)])
    }

    // MARK: Caps and payments

    func usage(memberID: String, riskCode: String, planYear: Int) throws -> (year: Int64, lifetime: Int64) {
        let row = try connection.query("""
            SELECT coalesce(sum(CASE WHEN plan_year = $1 THEN amount_fen END), 0), coalesce(sum(amount_fen), 0)
            FROM ma_cap_usage WHERE member_id = $2 AND risk_code = $3
            """, [.int(planYear), .text(memberID), .text(riskCode)])
        return (row.integer(0, 0) ?? 0, row.integer(0, 1) ?? 0)
    }

    func recordUsage(claim: ClaimRecord, amountFen: Int64) throws {
        try connection.send("INSERT INTO ma_cap_usage (member_id, risk_code, plan_year, claim_id, amount_fen) VALUES ($1, $2, $3, $4, $5)",
                             [.text(claim.memberID), .text(claim.riskCode), .int(claim.planYear), .text(claim.id), .integer(amountFen)])
    }

    func paymentRecorded(claimID: String, paymentRef: String) throws -> Bool {
        try connection.query("SELECT 1 FROM ma_payments WHERE claim_id = $1 AND payment_ref = $2 AND outcome = 'paid'",
                             [.text(claimID), .text(paymentRef)]).rowCount > 0
    }

    func recordPayment(claimID: String, paymentRef: String, amountFen: Int64, paidOn: LocalDate, context: EventContext) throws {
        try connection.send("INSERT INTO ma_payments (claim_id, payment_ref, outcome, amount_fen, paid_on, event_id) VALUES ($1, $2, 'paid', $3, $4, $5)",
                             [.text(claimID), .text(paymentRef), .integer(amountFen), .text(paidOn.description), .text(context.eventID)])
    }
}
