import Foundation
import MutualAidClaims
import Testing
import WorkerRuntime

@Suite("mutual-aid claims")
struct ClaimRuleTests {
    @Test("enrolment: a first enrolment has a 90-day waiting period from enrolled_on; a renewal is covered from 1 January without one", arguments: StoreEngine.allCases)
    func enrolment(engine: StoreEngine) throws {
        let h = try ClaimHarness(engine: engine)
        let first = try h.enrol("M-1", year: 2025, on: "2025-03-10")
        #expect(first.templates == ["mutualaid.member.enrolled"])
        #expect(first.params("mutualaid.member.enrolled") == ["plan_year": .integer(2025), "coverage_from": .string("2025-03-10"), "waiting_until": .string("2025-06-08")])
        let renewal = try h.enrol("M-1", year: 2026, on: "2025-12-20", person: 1)
        #expect(renewal.params("mutualaid.member.enrolled") == ["plan_year": .integer(2026), "coverage_from": .string("2026-01-01"), "waiting_until": .null])
        // After a gap year the waiting period applies again.
        let afterGap = try h.enrol("M-1", year: 2028, on: "2028-02-01", person: 1)
        #expect(afterGap.params("mutualaid.member.enrolled")?["waiting_until"] == .string("2028-05-01"))
        #expect(try h.enrol("M-1", year: 2026, on: "2026-01-02", person: 1).reason == "DUPLICATE_SHARE")
        #expect(try h.enrol("M-2", year: 2026, person: 1).reason == "DUPLICATE_IDENTITY")
        #expect(try h.enrol("M-3", year: 2026, contribution: 9_000).reason == "CONTRIBUTION_MISMATCH")
    }

    @Test("waiting period: illness before waiting_until is refused, on it covered; accidents are exempt; a refused claim stays for lookup", arguments: StoreEngine.allCases)
    func waitingPeriod(engine: StoreEngine) throws {
        let h = try ClaimHarness(engine: engine)
        try h.enrol("M-1", year: 2026, on: "2026-02-01")  // waiting until 2026-05-02
        let early = try h.submit("C-1", member: "M-1", risk: "MINOR_ILLNESS", incident: "2026-05-01")
        #expect(early.outcome == "rejected" && early.reason == "WAITING_PERIOD")
        #expect(early.templates == ["welfare.event.rejected", "mutualaid.claim.rejected"])
        #expect(early.params("mutualaid.claim.rejected") == ["claim_id": .string("C-1"), "reason_code": .string("WAITING_PERIOD")])
        #expect(try h.status("C-1") == "REJECTED")
        #expect(try h.submit("C-2", member: "M-1", risk: "MINOR_ILLNESS", incident: "2026-05-02").outcome == "applied")
        #expect(try h.submit("C-3", member: "M-1", risk: "ACCIDENT_MEDICAL", incident: "2026-02-10", extra: ["self_paid_fen": .integer(5_000)]).outcome == "applied")
        #expect(try h.submit("C-4", member: "M-1", risk: "HARDSHIP_CONDOLENCE", incident: "2026-01-31").reason == "NOT_ENROLLED", "before coverage_from")
    }

    @Test("submission refusals in the contract's order", arguments: StoreEngine.allCases, [
        ("C-x", "2026-03-01", "2026-06-01T10:00:00+08:00", "DUPLICATE_CLAIM_ID"),
        ("C-x", "2024-12-31", "2026-06-01T10:00:00+08:00", "DUPLICATE_CLAIM_ID"),  // would also be NOT_ENROLLED
        ("C-x", "2026-03-02", "2026-06-01T10:00:00+08:00", "DUPLICATE_CLAIM_ID"),  // would otherwise be accepted
        ("C-9", "2024-12-31", "2026-06-01T10:00:00+08:00", "NOT_ENROLLED"),  // also time-barred: NOT_ENROLLED comes first
        ("C-9", "2026-06-02", "2026-06-01T10:00:00+08:00", "INCIDENT_IN_FUTURE"),
        ("C-9", "2026-03-01", "2026-03-01T10:00:00+08:00", "DUPLICATE_CLAIM"),
    ])
    func refusals(engine: StoreEngine, _ example: (String, String, String, String)) throws {
        let (claim, incident, time, reason) = example
        let h = try ClaimHarness(engine: engine)
        try h.enrol("M-1", year: 2025, on: "2025-01-02")
        try h.enrol("M-1", year: 2026, on: "2025-12-20", person: 1)
        try h.submit("C-x", member: "M-1", risk: "ACCIDENT_MEDICAL", incident: "2026-03-01", extra: ["self_paid_fen": .integer(5_000)])
        let before = try h.status("C-x")
        let step = try h.submit(claim, member: "M-1", risk: "ACCIDENT_MEDICAL", incident: incident, extra: ["self_paid_fen": .integer(5_000)], time: time)
        #expect(step.reason == reason)
        if reason == "DUPLICATE_CLAIM_ID" {
            #expect(step.templates == ["welfare.event.rejected"], "a duplicate claim id creates nothing and notifies only the source")
            #expect(try h.status("C-x") == before, "the existing claim is left as it was")
        } else {
            #expect(step.templates == ["welfare.event.rejected", "mutualaid.claim.rejected"])
        }
    }

    @Test("TIME_BARRED more than two years after the incident; NO_BENEFIT_DUE; BENEFIT_EXHAUSTED when a cap has no room", arguments: StoreEngine.allCases)
    func benefitRefusals(engine: StoreEngine) throws {
        let h = try ClaimHarness(engine: engine)
        try h.enrol("M-1", year: 2024, on: "2024-01-02")
        try h.enrol("M-1", year: 2025, on: "2024-12-20", person: 1)
        try h.enrol("M-1", year: 2026, on: "2025-12-20", person: 1)
        #expect(try h.submit("C-1", member: "M-1", risk: "HARDSHIP_CONDOLENCE", incident: "2024-05-31", time: "2026-06-01T10:00:00+08:00").reason == "TIME_BARRED")
        #expect(try h.submit("C-2", member: "M-1", risk: "HARDSHIP_CONDOLENCE", incident: "2024-06-01", time: "2026-06-01T10:00:00+08:00").outcome == "applied")
        #expect(try h.submit("C-3", member: "M-1", risk: "HOSPITALIZATION", incident: "2026-03-01", extra: ["hospital_days": .integer(3)]).reason == "NO_BENEFIT_DUE")
        try h.submit("C-4", member: "M-1", risk: "HARDSHIP_CONDOLENCE", incident: "2026-03-01")
        try h.review("C-4", member: "M-1")
        #expect(try h.submit("C-5", member: "M-1", risk: "HARDSHIP_CONDOLENCE", incident: "2026-04-01").reason == "BENEFIT_EXHAUSTED")
    }

    @Test("missing documents are asked for once in the table's order; completing them starts the review by the community", arguments: StoreEngine.allCases)
    func documents(engine: StoreEngine) throws {
        let h = try ClaimHarness(engine: engine)
        try h.enrol("M-1", year: 2026, on: "2026-01-02")
        let step = try h.submit("C-1", member: "M-1", risk: "ACCIDENT_DISABILITY", incident: "2026-03-01", documents: ["accident_proof"],
                                extra: ["disability_grade": .integer(3)])
        #expect(step.templates == ["mutualaid.claim.received", "mutualaid.claim.documents_requested"])
        #expect(step.params("mutualaid.claim.received") == ["claim_id": .string("C-1"), "risk_code": .string("ACCIDENT_DISABILITY")])
        #expect(step.params("mutualaid.claim.documents_requested")?["missing_documents"] == .array([.string("id_card"), .string("disability_assessment")]))
        let partial = try h.send("mutualaid.claim.documents_added.v1", ["claim_id": .string("C-1"), "member_id": .string("M-1"), "documents": .array([.string("id_card")])])
        #expect(partial.outcome == "applied" && partial.notifications.isEmpty)
        let complete = try h.send("mutualaid.claim.documents_added.v1", ["claim_id": .string("C-1"), "member_id": .string("M-1"), "documents": .array([.string("disability_assessment")])])
        #expect(complete.templates == ["mutualaid.claim.review_requested"])
        #expect(complete.recipient("mutualaid.claim.review_requested") == ["kind": .string("reviewer"), "id": .string("COMM-7")])
        #expect(try h.status("C-1") == "UNDER_REVIEW")
        #expect(try h.send("mutualaid.claim.documents_added.v1", ["claim_id": .string("C-1"), "member_id": .string("M-2"), "documents": .array([])]).reason == "UNKNOWN_CLAIM")
        try h.review("C-1", member: "M-1")
        #expect(try h.send("mutualaid.claim.documents_added.v1", ["claim_id": .string("C-1"), "member_id": .string("M-1"), "documents": .array([])]).reason == "ILLEGAL_TRANSITION")
    }

    static let riskCases: [(String, JSONObject, Int64)] = [
        ("CRITICAL_ILLNESS", [:], 3_000_000), ("MINOR_ILLNESS", [:], 1_000_000),
        ("HOSPITALIZATION", ["hospital_days": .integer(15)], 120_000), ("HOSPITALIZATION", ["hospital_days": .integer(365)], 900_000),
        ("MEDICAL_HARDSHIP", ["self_paid_fen": .integer(300_001)], 150_000), ("MEDICAL_HARDSHIP", ["self_paid_fen": .integer(2_000_000)], 500_000),
        ("ACCIDENT_MEDICAL", ["self_paid_fen": .integer(123_456)], 123_456), ("ACCIDENT_MEDICAL", ["self_paid_fen": .integer(1_500_000)], 1_000_000),
        ("ACCIDENT_DISABILITY", ["disability_grade": .integer(1)], 10_000_000), ("ACCIDENT_DISABILITY", ["disability_grade": .integer(10)], 1_000_000),
        ("ACCIDENT_DEATH", [:], 10_000_000), ("ILLNESS_DEATH", [:], 5_000_000), ("HARDSHIP_CONDOLENCE", [:], 200_000),
    ]

    @Test("every risk's benefit formula and cap", arguments: StoreEngine.allCases, riskCases)
    func riskTable(engine: StoreEngine, _ example: (String, JSONObject, Int64)) throws {
        let (risk, extra, approved) = example
        let h = try ClaimHarness(engine: engine)
        try h.enrol("M-1", year: 2025, on: "2025-01-02")
        try h.enrol("M-1", year: 2026, on: "2025-12-20", person: 1)
        #expect(try h.submit("C-1", member: "M-1", risk: risk, incident: "2026-03-01", extra: extra).outcome == "applied")
        let step = try h.review("C-1", member: "M-1")
        #expect(step.params("mutualaid.claim.approved")?["approved_fen"] == .integer(approved))
        let expectedCap: JSONValue = switch (risk, approved) {
        case ("HOSPITALIZATION", 900_000), ("ACCIDENT_MEDICAL", 1_000_000): .string("year")
        case ("MEDICAL_HARDSHIP", 500_000): .string("claim")
        default: .null
        }
        #expect(step.params("mutualaid.claim.approved")?["capped_by"] == expectedCap)
    }

    @Test("caps shared by several claims in a year, lifetime caps across years, capped_by names the last cap that lowered", arguments: StoreEngine.allCases)
    func sharedCaps(engine: StoreEngine) throws {
        let h = try ClaimHarness(engine: engine)
        try h.enrol("M-1", year: 2025, on: "2025-01-02")
        try h.enrol("M-1", year: 2026, on: "2025-12-20", person: 1)
        // Hospitalisation: year cap 900,000 shared; a new year starts again.
        try h.submit("H-1", member: "M-1", risk: "HOSPITALIZATION", incident: "2026-02-01", extra: ["hospital_days": .integer(63)])  // 600,000
        #expect(try h.review("H-1", member: "M-1").params("mutualaid.claim.approved")?["approved_fen"] == .integer(600_000))
        try h.submit("H-2", member: "M-1", risk: "HOSPITALIZATION", incident: "2026-03-01", extra: ["hospital_days": .integer(63)])
        let second = try h.review("H-2", member: "M-1")
        #expect(second.params("mutualaid.claim.approved") == ["claim_id": .string("H-2"), "approved_fen": .integer(300_000), "capped_by": .string("year")])
        try h.submit("H-3", member: "M-1", risk: "HOSPITALIZATION", incident: "2026-04-01", extra: ["hospital_days": .integer(10)])
        #expect(try h.review("H-3", member: "M-1").params("mutualaid.claim.rejected")?["reason_code"] == nil)
        // (H-3 was refused at submission: the year cap had no room left.)
        #expect(try h.status("H-3") == "REJECTED")
        try h.submit("H-4", member: "M-1", risk: "HOSPITALIZATION", incident: "2025-11-01", extra: ["hospital_days": .integer(13)])
        #expect(try h.review("H-4", member: "M-1").params("mutualaid.claim.approved")?["approved_fen"] == .integer(100_000), "2025 has its own year cap")
        // Disability: lifetime cap 10,000,000 across years; claim then lifetime both lower, the last one names it.
        try h.submit("D-1", member: "M-1", risk: "ACCIDENT_DISABILITY", incident: "2025-06-01", extra: ["disability_grade": .integer(3)])  // 8,000,000
        #expect(try h.review("D-1", member: "M-1").params("mutualaid.claim.approved")?["approved_fen"] == .integer(8_000_000))
        try h.submit("D-2", member: "M-1", risk: "ACCIDENT_DISABILITY", incident: "2026-06-01", extra: ["disability_grade": .integer(5)])  // 6,000,000
        let lifetime = try h.review("D-2", member: "M-1")
        #expect(lifetime.params("mutualaid.claim.approved") == ["claim_id": .string("D-2"), "approved_fen": .integer(2_000_000), "capped_by": .string("lifetime")])
        #expect(CapCalculator.payable(benefit: 900_000, caps: .init(claim: 500_000, year: 1_000_000), usedThisYear: 700_000, usedLifetime: 0)
                == .init(payable: 300_000, cappedBy: "year"))
    }

    @Test("review: rejection, SELF_REVIEW, ILLEGAL_TRANSITION, and exhaustion found at review time", arguments: StoreEngine.allCases)
    func review(engine: StoreEngine) throws {
        let h = try ClaimHarness(engine: engine)
        try h.enrol("M-1", year: 2026, on: "2026-01-02")
        try h.submit("C-1", member: "M-1", risk: "HARDSHIP_CONDOLENCE", incident: "2026-03-01")
        try h.submit("C-2", member: "M-1", risk: "HARDSHIP_CONDOLENCE", incident: "2026-03-02")
        #expect(try h.review("C-1", member: "M-1", reviewer: "M-1").reason == "SELF_REVIEW")
        let rejected = try h.review("C-1", member: "M-1", approve: false)
        #expect(rejected.outcome == "applied" && rejected.templates == ["mutualaid.claim.rejected"], "a decision is applied, not rejected")
        #expect(rejected.params("mutualaid.claim.rejected")?["reason_code"] == .string("REVIEW_REJECTED"))
        #expect(try h.review("C-1", member: "M-1").reason == "ILLEGAL_TRANSITION")
        try h.submit("C-3", member: "M-1", risk: "HARDSHIP_CONDOLENCE", incident: "2026-03-03")
        #expect(try h.review("C-2", member: "M-1").params("mutualaid.claim.approved")?["approved_fen"] == .integer(200_000))
        let exhausted = try h.review("C-3", member: "M-1")
        #expect(exhausted.outcome == "applied" && exhausted.params("mutualaid.claim.rejected")?["reason_code"] == .string("BENEFIT_EXHAUSTED"))
    }

    @Test("payment failed then paid; a repeated payment_ref is a silent duplicate; AMOUNT_MISMATCH; withdrawal rules", arguments: StoreEngine.allCases)
    func paymentsAndWithdrawals(engine: StoreEngine) throws {
        let h = try ClaimHarness(engine: engine)
        try h.enrol("M-1", year: 2026, on: "2026-01-02")
        try h.submit("C-1", member: "M-1", risk: "HARDSHIP_CONDOLENCE", incident: "2026-03-01")
        #expect(try h.pay("C-1", member: "M-1", ref: "P-0", amount: 200_000).reason == "ILLEGAL_TRANSITION")
        try h.review("C-1", member: "M-1")
        let failed = try h.send("mutualaid.claim.payment_failed.v1", ["claim_id": .string("C-1"), "member_id": .string("M-1"), "payment_ref": .string("P-1"), "reason": .string("账户已注销")])
        #expect(failed.templates == ["mutualaid.claim.payment_failed", "mutualaid.claim.payment_failed"])
        #expect(failed.notifications.map { $0["recipient"]?.objectValue?["kind"] } == [.string("member"), .string("finance")])
        #expect(failed.notifications.last?["recipient"]?.objectValue?["id"] == .string("finance"))
        #expect(try h.pay("C-1", member: "M-1", ref: "P-1", amount: 199_999).reason == "AMOUNT_MISMATCH")
        let paid = try h.pay("C-1", member: "M-1", ref: "P-1", amount: 200_000)
        #expect(paid.params("mutualaid.claim.paid") == ["claim_id": .string("C-1"), "amount_fen": .integer(200_000), "payment_ref": .string("P-1")])
        #expect(try h.status("C-1") == "PAID")
        let repeated = try h.pay("C-1", member: "M-1", ref: "P-1", amount: 200_000)
        #expect(repeated.outcome == "duplicate" && repeated.notifications.isEmpty)
        #expect(try h.pay("C-1", member: "M-1", ref: "P-2", amount: 200_000).reason == "ILLEGAL_TRANSITION")
        #expect(try h.pay("C-1", member: "M-2", ref: "P-1", amount: 200_000).reason == "UNKNOWN_CLAIM", "unknown comes before the repeat")

        try h.submit("C-2", member: "M-1", risk: "ACCIDENT_MEDICAL", incident: "2026-03-05", documents: [], extra: ["self_paid_fen": .integer(1_000)])
        let withdrawn = try h.send("mutualaid.claim.withdrawn.v1", ["claim_id": .string("C-2"), "member_id": .string("M-1"), "reason": .string("已由单位报销")])
        #expect(withdrawn.params("mutualaid.claim.withdrawn") == ["claim_id": .string("C-2")])
        #expect(try h.send("mutualaid.claim.withdrawn.v1", ["claim_id": .string("C-1"), "member_id": .string("M-1"), "reason": .string("x")]).reason == "ILLEGAL_TRANSITION")
        // A withdrawn claim does not block a new one for the same incident.
        #expect(try h.submit("C-3", member: "M-1", risk: "ACCIDENT_MEDICAL", incident: "2026-03-05", extra: ["self_paid_fen": .integer(1_000)]).outcome == "applied")
    }

    @Test("a missing per-risk figure is INVALID_DATA naming the field", arguments: StoreEngine.allCases)
    func perRiskFields(engine: StoreEngine) throws {
        let h = try ClaimHarness(engine: engine)
        try h.enrol("M-1")
        let step = try h.submit("C-1", member: "M-1", risk: "HOSPITALIZATION", incident: "2026-03-01")
        #expect(step.outcome == "dead_lettered" && step.detail?.hasPrefix("data.hospital_days") == true)
        #expect(try h.submit("C-2", member: "M-1", risk: "FLOOD", incident: "2026-03-01").detail?.hasPrefix("data.risk_code") == true)
    }
}
