import Foundation
import GRDB
import WorkerRuntime

/// The mutual-aid records in SQLite: all of the domain's SQL. The per-event statements bind and read
/// through SQLite's C API (`FastStatement`), where GRDB's argument arrays and row decoding cost more than
/// the SQL itself; they are prepared once per transaction, when the records are opened.
final class SQLiteClaimRecords: ClaimRecords {
    /// Identity numbers are kept only as keyed hashes made with this key.
    let identity: IdentityKey
    let memo: StoreMemo
    let transaction: StoreTransaction
    /// The connection inside `transaction`.
    let db: Database
    private let selectCommunity: FastStatement
    private let selectIdentityOwner: FastStatement
    private let upsertMemberRow: FastStatement
    private let selectEnrolment: FastStatement
    private let insertEnrolmentRow: FastStatement
    private let selectClaim: FastStatement
    private let sameClaim: FastStatement
    private let insertClaimRow: FastStatement
    private let updateDocuments: FastStatement
    private let updateStatus: FastStatement
    private let insertHistory: FastStatement
    private let selectUsage: FastStatement
    private let insertUsage: FastStatement
    private let selectPayment: FastStatement
    private let insertPayment: FastStatement

    init(_ transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws {
        self.transaction = transaction
        self.identity = identity
        self.memo = memo
        db = try transaction.sqlite
        selectCommunity = try FastStatement(db, sql: "SELECT community_id FROM ma_members WHERE member_id = ?")
        selectIdentityOwner = try FastStatement(db, sql: "SELECT member_id FROM ma_members WHERE identity_hash = ?")
        upsertMemberRow = try FastStatement(db, sql: """
            INSERT INTO ma_members (member_id, name, identity_hash, community_id) VALUES (?, ?, ?, ?)
            ON CONFLICT (member_id) DO UPDATE SET name = excluded.name, community_id = excluded.community_id
            """)
        selectEnrolment = try FastStatement(db, sql: "SELECT coverage_from, waiting_until FROM ma_enrolments WHERE member_id = ? AND plan_year = ?")
        insertEnrolmentRow = try FastStatement(db, sql: """
            INSERT INTO ma_enrolments (member_id, plan_year, enrolled_on, coverage_from, waiting_until, renewal, contribution_fen, rule_version, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        selectClaim = try FastStatement(db, sql: """
            SELECT member_id, risk_code, incident_date, plan_year, status, documents, hospital_days, self_paid_fen, disability_grade, approved_fen,
                history_count, rowid
            FROM ma_claims WHERE claim_id = ?
            """)
        sameClaim = try FastStatement(db, sql: """
            SELECT 1 FROM ma_claims WHERE member_id = ? AND risk_code = ? AND incident_date = ? AND status NOT IN ('REJECTED', 'WITHDRAWN') LIMIT 1
            """)
        insertClaimRow = try FastStatement(db, sql: """
            INSERT INTO ma_claims (claim_id, member_id, risk_code, incident_date, plan_year, status, documents, missing_documents, hospital_days,
                self_paid_fen, disability_grade, reason_code, rule_version, submitted_at, history_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (claim_id) DO NOTHING
            """)
        updateDocuments = try FastStatement(db, sql: "UPDATE ma_claims SET documents = ?, missing_documents = ? WHERE rowid = ?")
        updateStatus = try FastStatement(db, sql: """
            UPDATE ma_claims SET status = ?1, missing_documents = CASE WHEN ?1 = 'DOCUMENTS_REQUESTED' THEN missing_documents ELSE '[]' END,
                reason_code = coalesce(?2, reason_code), approved_fen = coalesce(?3, approved_fen),
                capped_by = coalesce(?4, capped_by), paid_fen = coalesce(?5, paid_fen), rule_version = coalesce(?6, rule_version),
                history_count = ?7
            WHERE rowid = ?8
            """)
        insertHistory = try FastStatement(db, sql: "INSERT INTO ma_claim_history (claim_id, seq, status, at, event_id, event_type) VALUES (?, ?, ?, ?, ?, ?)")
        selectUsage = try FastStatement(db, sql: """
            SELECT coalesce(SUM(CASE WHEN plan_year = ? THEN amount_fen END), 0), coalesce(SUM(amount_fen), 0)
            FROM ma_cap_usage WHERE member_id = ? AND risk_code = ?
            """)
        insertUsage = try FastStatement(db, sql: "INSERT INTO ma_cap_usage (member_id, risk_code, plan_year, claim_id, amount_fen) VALUES (?, ?, ?, ?, ?)")
        selectPayment = try FastStatement(db, sql: "SELECT 1 FROM ma_payments WHERE claim_id = ? AND payment_ref = ? AND outcome = 'paid'")
        insertPayment = try FastStatement(db, sql: """
            INSERT INTO ma_payments (claim_id, payment_ref, outcome, amount_fen, paid_on, event_id) VALUES (?, ?, 'paid', ?, ?, ?)
            """)
    }

    // MARK: Members and enrolments

    func communityID(of memberID: String) throws -> String? {
        try selectCommunity.row(.text(memberID)) { $0.text(0) }
    }

    func identityBelongsToAnother(_ number: String, memberID: String) throws -> Bool {
        let owner = try selectIdentityOwner
            .row(.blob(identity.hash(ofIdentityNumber: number))) { $0.text(0) }
        return owner != nil && owner != memberID
    }

    func upsertMember(_ enrolment: ClaimEvent.Enrolment) throws {
        try upsertMemberRow.execute(.text(enrolment.memberID), .text(enrolment.name), .blob(identity.hash(ofIdentityNumber: enrolment.identityNumber)),
                         .text(enrolment.communityID))
    }

    /// Through the memo: an enrolment never changes once written (a second one for the same year is a
    /// rejected DUPLICATE_SHARE), so a member's later claims find it without searching the store.
    func rememberedEnrolment(memberID: String, planYear: Int) throws -> MemberEnrolment? {
        let fact = try memo.value(for: "enrolment:\(planYear):" + memberID, in: transaction) {
            try enrolment(memberID: memberID, planYear: planYear).map { "\($0.coverageFrom)|\($0.waitingUntil?.description ?? "")" }
        }
        guard let fact else { return nil }
        let parts = fact.split(separator: "|", omittingEmptySubsequences: false)
        guard parts.count == 2, let coverageFrom = LocalDate(iso: String(parts[0])) else {
            return try enrolment(memberID: memberID, planYear: planYear)  // not reached: the memo holds what was written above
        }
        return MemberEnrolment(planYear: planYear, coverageFrom: coverageFrom, waitingUntil: LocalDate(iso: String(parts[1])))
    }

    func enrolment(memberID: String, planYear: Int) throws -> MemberEnrolment? {
        try selectEnrolment
            .row(.text(memberID), .int(planYear)) { row in
                MemberEnrolment(planYear: planYear, coverageFrom: LocalDate(iso: row.text(0)) ?? LocalDate(year: planYear, month: 1, day: 1)!,
                          waitingUntil: row.optionalText(1).flatMap(LocalDate.init(iso:)))
            }
    }

    func insertEnrolment(_ enrolment: ClaimEvent.Enrolment, coverageFrom: LocalDate, waitingUntil: LocalDate?, renewal: Bool,
                         ruleVersion: String, context: EventContext) throws {
        try insertEnrolmentRow.execute(.text(enrolment.memberID), .int(enrolment.planYear), .text(enrolment.enrolledOn.description), .text(coverageFrom.description),
                         .optionalText(waitingUntil?.description), .bool(renewal), .integer(enrolment.contributionFen), .text(ruleVersion),
                         .text(context.eventID))
    }

    // MARK: Claims

    func claim(_ id: String) throws -> ClaimRecord? {
        try selectClaim.row(.text(id)) { row in
            ClaimRecord(rowID: row.integer(11), id: id, memberID: row.text(0), riskCode: row.text(1),
                  incidentDate: LocalDate(iso: row.text(2)) ?? LocalDate(year: 2000, month: 1, day: 1)!, planYear: Int(row.integer(3)),
                  status: ClaimStateMachine.State(rawValue: row.text(4)) ?? .rejected, documents: ClaimDocuments.decode(row.optionalText(5)),
                  hospitalDays: row.optionalInteger(6), selfPaidFen: row.optionalInteger(7), disabilityGrade: row.optionalInteger(8),
                  approvedFen: row.optionalInteger(9), historyCount: row.integer(10))
        }
    }

    /// Whether the member has a claim for the same risk and incident date that is not REJECTED or WITHDRAWN.
    func hasSameClaim(memberID: String, riskCode: String, incidentDate: LocalDate) throws -> Bool {
        try sameClaim.exists(.text(memberID), .text(riskCode), .text(incidentDate.description))
    }

    /// Inserts a new claim with its first history entry; false (and nothing written) when the claim id is taken.
    func insertClaim(_ submission: ClaimEvent.Submission, planYear: Int, status: ClaimStateMachine.State, reasonCode: String?,
                     missing: [String], ruleVersion: String, context: EventContext) throws -> Bool {
        let insert = insertClaimRow
        try insert.execute(.text(submission.claimID), .text(submission.memberID), .text(submission.riskCode), .text(submission.incidentDate.description),
                         .int(planYear), .text(status.rawValue), .text(ClaimDocuments.encode(submission.documents)), .text(ClaimDocuments.encode(missing)),
                         .optionalInteger(submission.hospitalDays), .optionalInteger(submission.selfPaidFen), .optionalInteger(submission.disabilityGrade),
                         .optionalText(reasonCode), .text(ruleVersion), .text(context.time.text))
        guard insert.changes > 0 else { return false }
        try appendHistory(claimID: submission.claimID, status: status, seq: 0, context: context)
        return true
    }

    func setDocuments(of claim: ClaimRecord, documents: [String], missing: [String]) throws {
        try updateDocuments
            .execute(.text(ClaimDocuments.encode(documents)), .text(ClaimDocuments.encode(missing)), .integer(claim.rowID))
    }

    /// Moves `claim` (as read in this event) to `status` and appends the change to its history.
    func setStatus(_ claim: ClaimRecord, status: ClaimStateMachine.State, context: EventContext, reasonCode: String?,
                   approvedFen: Int64?, cappedBy: String?, paidFen: Int64?, ruleVersion: String?) throws {
        try updateStatus.execute(.text(status.rawValue), .optionalText(reasonCode), .optionalInteger(approvedFen), .optionalText(cappedBy),
                         .optionalInteger(paidFen), .optionalText(ruleVersion), .integer(claim.historyCount + 1), .integer(claim.rowID))
        try appendHistory(claimID: claim.id, status: status, seq: claim.historyCount, context: context)
    }

    /// Appends a history entry at `seq` (its place in the claim's history; a new claim's first is 0).
    func appendHistory(claimID: String, status: ClaimStateMachine.State, seq: Int64, context: EventContext) throws {
        try insertHistory
            .execute(.text(claimID), .integer(seq), .text(status.rawValue), .text(context.time.text), .text(context.eventID), .text(context.type))
    }

    // MARK: Caps and payments

    func usage(memberID: String, riskCode: String, planYear: Int) throws -> (year: Int64, lifetime: Int64) {
        // One pass over the member's entries for the risk gives both sums.
        try selectUsage.row(.int(planYear), .text(memberID), .text(riskCode)) { ($0.integer(0), $0.integer(1)) } ?? (0, 0)
    }

    func recordUsage(claim: ClaimRecord, amountFen: Int64) throws {
        try insertUsage
            .execute(.text(claim.memberID), .text(claim.riskCode), .int(claim.planYear), .text(claim.id), .integer(amountFen))
    }

    func paymentRecorded(claimID: String, paymentRef: String) throws -> Bool {
        try selectPayment
            .exists(.text(claimID), .text(paymentRef))
    }

    /// Records an applied payment (failed payments and rejected `paid` events record nothing here).
    func recordPayment(claimID: String, paymentRef: String, amountFen: Int64, paidOn: LocalDate, context: EventContext) throws {
        try insertPayment.execute(.text(claimID), .text(paymentRef), .integer(amountFen), .text(paidOn.description), .text(context.eventID))
    }
}
