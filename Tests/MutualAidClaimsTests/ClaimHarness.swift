import Foundation
import MutualAidClaims
import SampleStreams
import WelfareTestSupport
import WorkerRuntime

/// Mutual-aid events through the real processor into a real store (see `DomainHarness`).
final class ClaimHarness {
    let harness: DomainHarness<MutualAidClaimsDomain>
    typealias Step = DomainHarness<MutualAidClaimsDomain>.Step
    private var people = 0

    init(engine: StoreEngine = .sqlite, plan: PlanSettings = .contract) throws {
        harness = try DomainHarness(domain: MutualAidClaimsDomain(plan: plan), topic: "welfare.mutual-aid-claims", engine: engine)
    }

    @discardableResult
    func send(_ type: String, _ data: JSONObject, time: String = "2026-06-01T10:00:00+08:00", id: String? = nil) throws -> Step {
        try harness.batch([harness.message(type, data, entity: "member_id", id: id, time: time)])[0]
    }

    @discardableResult
    func enrol(_ member: String, year: Int = 2026, on date: String = "2026-01-05", contribution: Int64 = 10_000, person: Int? = nil,
               time: String? = nil) throws -> Step {
        people += 1
        return try send("mutualaid.member.enrolled.v1", [
            "member_id": .string(member), "name": .string("张三明"), "id_number": .string(SampleIdentity.person(person ?? people).number),
            "phone": .string("13800138000"), "community_id": .string("COMM-7"), "plan_year": .integer(Int64(year)),
            "enrolled_on": .string(date), "contribution_fen": .integer(contribution),
        ], time: time ?? "\(date)T09:00:00+08:00")
    }

    @discardableResult
    func submit(_ claim: String, member: String, risk: String, incident: String, documents: [String]? = nil, extra: JSONObject = [:],
                time: String = "2026-06-01T10:00:00+08:00") throws -> Step {
        var data: JSONObject = [
            "claim_id": .string(claim), "member_id": .string(member), "risk_code": .string(risk), "incident_date": .string(incident),
            "documents": .array((documents ?? PlanSettings.contract.risk(risk)?.documents ?? []).map(JSONValue.string)),
        ]
        data.members += extra.members
        return try send("mutualaid.claim.submitted.v1", data, time: time)
    }

    @discardableResult
    func review(_ claim: String, member: String, approve: Bool = true, reviewer: String = "REVIEWER-1", time: String = "2026-06-10T10:00:00+08:00") throws -> Step {
        try send("mutualaid.claim.reviewed.v1", ["claim_id": .string(claim), "member_id": .string(member), "reviewer_id": .string(reviewer),
                                                 "decision": .string(approve ? "approve" : "reject"), "reason": .string("材料核实")], time: time)
    }

    @discardableResult
    func pay(_ claim: String, member: String, ref: String, amount: Int64, time: String = "2026-06-15T10:00:00+08:00") throws -> Step {
        try send("mutualaid.claim.paid.v1", ["claim_id": .string(claim), "member_id": .string(member), "payment_ref": .string(ref),
                                             "amount_fen": .integer(amount), "paid_on": .string("2026-06-15")], time: time)
    }

    func status(_ id: String) throws -> String? {
        try harness.store.rows("SELECT status FROM ma_claims WHERE claim_id = ?", [id]).first?.first ?? nil
    }
}
