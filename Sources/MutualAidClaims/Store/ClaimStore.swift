import Foundation
import GRDB
import WorkerRuntime

/// All of the mutual-aid domain's SQL. The per-event statements bind and read through SQLite's C API
/// (`FastStatement`): GRDB's argument arrays and row decoding cost a sixth of the writer thread there.
struct ClaimStore {
    let db: Database

    struct Enrolment {
        let planYear: Int
        let coverageFrom: LocalDate
        let waitingUntil: LocalDate?
    }

    struct Claim {
        let id: String
        let memberID: String
        let riskCode: String
        let incidentDate: LocalDate
        let planYear: Int
        let status: ClaimStateMachine.State
        let documents: [String]
        let hospitalDays: Int64?
        let selfPaidFen: Int64?
        let disabilityGrade: Int64?
        let approvedFen: Int64?
    }

    // MARK: Members and enrolments

    func communityID(of memberID: String) throws -> String? {
        try FastStatement(db, sql: "SELECT community_id FROM ma_members WHERE member_id = ?").row(.text(memberID)) { $0.text(0) }
    }

    func identityBelongsToAnother(_ number: String, memberID: String) throws -> Bool {
        let owner = try String.fetchOne(db.cachedStatement(sql: "SELECT member_id FROM ma_members WHERE identity_hash = ?"),
                                        arguments: [Data(FieldFormats.identityPseudonym(number))])
        return owner != nil && owner != memberID
    }

    func upsertMember(_ enrolment: ClaimEvent.Enrolment) throws {
        try db.cachedStatement(sql: """
            INSERT INTO ma_members (member_id, name, identity_hash, community_id) VALUES (?, ?, ?, ?)
            ON CONFLICT (member_id) DO UPDATE SET name = excluded.name, community_id = excluded.community_id
            """).execute(arguments: [enrolment.memberID, enrolment.name, Data(FieldFormats.identityPseudonym(enrolment.identityNumber)), enrolment.communityID])
    }

    func enrolment(memberID: String, planYear: Int) throws -> Enrolment? {
        try FastStatement(db, sql: "SELECT coverage_from, waiting_until FROM ma_enrolments WHERE member_id = ? AND plan_year = ?")
            .row(.text(memberID), .int(planYear)) { row in
                Enrolment(planYear: planYear, coverageFrom: LocalDate(iso: row.text(0)) ?? LocalDate(year: planYear, month: 1, day: 1)!,
                          waitingUntil: row.optionalText(1).flatMap(LocalDate.init(iso:)))
            }
    }

    func insertEnrolment(_ enrolment: ClaimEvent.Enrolment, coverageFrom: LocalDate, waitingUntil: LocalDate?, renewal: Bool,
                         ruleVersion: String, context: EventContext) throws {
        try db.cachedStatement(sql: """
            INSERT INTO ma_enrolments (member_id, plan_year, enrolled_on, coverage_from, waiting_until, renewal, contribution_fen, rule_version, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [enrolment.memberID, enrolment.planYear, enrolment.enrolledOn.description, coverageFrom.description,
                             waitingUntil?.description, renewal, enrolment.contributionFen, ruleVersion, context.eventID])
    }

    // MARK: Claims

    func claim(_ id: String) throws -> Claim? {
        try FastStatement(db, sql: """
            SELECT member_id, risk_code, incident_date, plan_year, status, documents, hospital_days, self_paid_fen, disability_grade, approved_fen
            FROM ma_claims WHERE claim_id = ?
            """).row(.text(id)) { row in
            Claim(id: id, memberID: row.text(0), riskCode: row.text(1),
                  incidentDate: LocalDate(iso: row.text(2)) ?? LocalDate(year: 2000, month: 1, day: 1)!, planYear: Int(row.integer(3)),
                  status: ClaimStateMachine.State(rawValue: row.text(4)) ?? .rejected, documents: Self.documents(row.optionalText(5)),
                  hospitalDays: row.optionalInteger(6), selfPaidFen: row.optionalInteger(7), disabilityGrade: row.optionalInteger(8),
                  approvedFen: row.optionalInteger(9))
        }
    }

    static func documents(_ json: String?) -> [String] {
        guard let json, case .array(let values)? = try? JSONParser.parse(Array(json.utf8)) else { return [] }
        return values.compactMap(\.stringValue)
    }

    static func json(_ documents: [String]) -> String {
        String(decoding: JSONWriter.encode(.array(documents.map(JSONValue.string))), as: UTF8.self)
    }

    /// Whether the member has a claim for the same risk and incident date that is not REJECTED or WITHDRAWN.
    func hasSameClaim(memberID: String, riskCode: String, incidentDate: LocalDate) throws -> Bool {
        try FastStatement(db, sql: """
            SELECT 1 FROM ma_claims WHERE member_id = ? AND risk_code = ? AND incident_date = ? AND status NOT IN ('REJECTED', 'WITHDRAWN') LIMIT 1
            """).exists(.text(memberID), .text(riskCode), .text(incidentDate.description))
    }

    /// Inserts a new claim with its first history entry; false (and nothing written) when the claim id is taken.
    func insertClaim(_ submission: ClaimEvent.Submission, planYear: Int, status: ClaimStateMachine.State, reasonCode: String?,
                     missing: [String], ruleVersion: String, context: EventContext) throws -> Bool {
        let insert = try FastStatement(db, sql: """
            INSERT INTO ma_claims (claim_id, member_id, risk_code, incident_date, plan_year, status, documents, missing_documents, hospital_days,
                self_paid_fen, disability_grade, reason_code, rule_version, submitted_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (claim_id) DO NOTHING
            """)
        try insert.execute(.text(submission.claimID), .text(submission.memberID), .text(submission.riskCode), .text(submission.incidentDate.description),
                         .int(planYear), .text(status.rawValue), .text(Self.json(submission.documents)), .text(Self.json(missing)),
                         .optionalInteger(submission.hospitalDays), .optionalInteger(submission.selfPaidFen), .optionalInteger(submission.disabilityGrade),
                         .optionalText(reasonCode), .text(ruleVersion), .text(context.time.text))
        guard insert.changes > 0 else { return false }
        try appendHistory(claimID: submission.claimID, status: status, seq: 0, context: context)
        return true
    }

    func setDocuments(claimID: String, documents: [String], missing: [String]) throws {
        try FastStatement(db, sql: "UPDATE ma_claims SET documents = ?, missing_documents = ? WHERE claim_id = ?")
            .execute(.text(Self.json(documents)), .text(Self.json(missing)), .text(claimID))
    }

    func setStatus(claimID: String, status: ClaimStateMachine.State, context: EventContext, reasonCode: String? = nil,
                   approvedFen: Int64? = nil, cappedBy: String? = nil, paidFen: Int64? = nil, ruleVersion: String? = nil) throws {
        try FastStatement(db, sql: """
            UPDATE ma_claims SET status = ?1, missing_documents = CASE WHEN ?1 = 'DOCUMENTS_REQUESTED' THEN missing_documents ELSE '[]' END,
                reason_code = coalesce(?2, reason_code), approved_fen = coalesce(?3, approved_fen),
                capped_by = coalesce(?4, capped_by), paid_fen = coalesce(?5, paid_fen), rule_version = coalesce(?6, rule_version)
            WHERE claim_id = ?7
            """).execute(.text(status.rawValue), .optionalText(reasonCode), .optionalInteger(approvedFen), .optionalText(cappedBy),
                         .optionalInteger(paidFen), .optionalText(ruleVersion), .text(claimID))
        try appendHistory(claimID: claimID, status: status, context: context)
    }

    /// Appends a history entry at `seq` (a new claim's first is 0), or after the claim's last one when nil.
    func appendHistory(claimID: String, status: ClaimStateMachine.State, seq: Int64? = nil, context: EventContext) throws {
        if let seq {
            try FastStatement(db, sql: "INSERT INTO ma_claim_history (claim_id, seq, status, at, event_id, event_type) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(.text(claimID), .integer(seq), .text(status.rawValue), .text(context.time.text), .text(context.eventID), .text(context.type))
        } else {
            try FastStatement(db, sql: """
                INSERT INTO ma_claim_history (claim_id, seq, status, at, event_id, event_type)
                VALUES (?1, (SELECT COUNT(*) FROM ma_claim_history WHERE claim_id = ?1), ?2, ?3, ?4, ?5)
                """).execute(.text(claimID), .text(status.rawValue), .text(context.time.text), .text(context.eventID), .text(context.type))
        }
    }

    // MARK: Caps and payments

    func usage(memberID: String, riskCode: String, planYear: Int) throws -> (year: Int64, lifetime: Int64) {
        // One pass over the member's entries for the risk gives both sums.
        try FastStatement(db, sql: """
            SELECT coalesce(SUM(CASE WHEN plan_year = ? THEN amount_fen END), 0), coalesce(SUM(amount_fen), 0)
            FROM ma_cap_usage WHERE member_id = ? AND risk_code = ?
            """).row(.int(planYear), .text(memberID), .text(riskCode)) { ($0.integer(0), $0.integer(1)) } ?? (0, 0)
    }

    func recordUsage(claim: Claim, amountFen: Int64) throws {
        try db.cachedStatement(sql: "INSERT INTO ma_cap_usage (member_id, risk_code, plan_year, claim_id, amount_fen) VALUES (?, ?, ?, ?, ?)").execute(
                       arguments: [claim.memberID, claim.riskCode, claim.planYear, claim.id, amountFen])
    }

    func paymentRecorded(claimID: String, paymentRef: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM ma_payments WHERE claim_id = ? AND payment_ref = ? AND outcome = 'paid'"), arguments: [claimID, paymentRef]) ?? false
    }

    /// Records an applied payment (failed payments and rejected `paid` events record nothing here).
    func recordPayment(claimID: String, paymentRef: String, amountFen: Int64, paidOn: LocalDate, context: EventContext) throws {
        try db.cachedStatement(sql: """
            INSERT INTO ma_payments (claim_id, payment_ref, outcome, amount_fen, paid_on, event_id) VALUES (?, ?, 'paid', ?, ?, ?)
            """).execute(arguments: [claimID, paymentRef, amountFen, paidOn.description, context.eventID])
    }
}
