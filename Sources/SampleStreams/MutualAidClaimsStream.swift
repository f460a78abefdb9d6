import MutualAidClaims
import WorkerRuntime

/// A realistic, seeded stream for `welfare.mutual-aid-claims`: enrolments over two plan years, claims of
/// every risk moving through documents, review, payment of the approved amount (some failing first) and
/// withdrawal, plus a few claims the rules refuse and the faults upstream systems make (re-sends, reused
/// ids, malformed messages).
///
/// The generator keeps a small model of what it emitted (cover and waiting periods, what each member was
/// paid per risk, each claim's approved amount), computed with the plan's own formulas and caps, so that
/// payments pay what was approved and most claims are covered, as on a normal day.
public struct MutualAidClaimsStream {
    public var members: Int
    public var seed: UInt64
    public var faultEvery: Int
    /// The number of the first member (`M-n`, identity `SampleIdentity.person(100,000 + n)`): streams that
    /// start apart do not meet (a benchmark run on a seeded store).
    public var firstMember: Int

    public init(members: Int = 150, seed: UInt64 = 3, faultEvery: Int = 50, firstMember: Int = 0) {
        self.members = members
        self.firstMember = firstMember
        self.seed = seed
        self.faultEvery = faultEvery
    }

    public func messages(count: Int) -> [SampleMessage] {
        var random = SeededRandom(seed: seed)
        var output: [SampleMessage] = []
        var sequence = 0
        let plan = PlanSettings.contract
        struct Open { let claim: String; let member: String; let risk: PlanSettings.Risk; let incident: LocalDate; let missing: [String]; let data: JSONObject }
        // Open claims still missing documents, and open claims ready for review.
        var incomplete: [Open] = []
        var complete: [Open] = []
        // Approved claims waiting for the bank; `failed` once a payment failed, `paid` once paid (kept only to report it twice).
        var decided: [(claim: String, member: String, approvedFen: Int64, failed: Bool, paid: Bool)] = []
        // What each member was paid per risk: in 2026 and over all years.
        var usedThisYear: [String: Int64] = [:]
        var usedLifetime: [String: Int64] = [:]
        // Claims of the same member, risk and incident date that are open or decided.
        var taken: Set<String> = []
        let start = LocalDate(year: 2026, month: 3, day: 1)!
        let yearStart = LocalDate(year: 2026, month: 1, day: 1)!
        let newMembersWaitUntil = LocalDate(year: 2025, month: 12, day: 15)!.adding(days: plan.waitingPeriodDays)
        // Business time spreads over about 240 days whatever the stream's length.
        func day(_ position: Int) -> Int { position * 240 / max(count, 1) }
        func time(_ position: Int) -> String { "\(start.adding(days: day(position)))T\(10 + position % 8):00:00+08:00" }
        func emit(_ type: String, _ member: String, _ data: JSONObject, at position: Int, id: String? = nil) {
            sequence += 1
            let event: JSONObject = [
                "specversion": .string("1.0"), "id": .string(id ?? "ma-\(seed)-\(sequence)"), "source": .string("/community/office"),
                "type": .string(type), "time": .string(time(position)), "subject": .string(member), "data": .object(data),
            ]
            output.append(SampleMessage(key: member, value: JSONWriter.encode(.object(event))))
        }
        /// Members whose contribution was wrong were never enrolled (CONTRIBUTION_MISMATCH).
        func enrolled(_ index: Int) -> Bool { index % 41 != 0 }
        /// The first 2026 enrolments wait out the waiting period; renewals are covered from 1 January.
        func isNew(_ index: Int) -> Bool { index % 3 == 0 }
        for index in 0..<members {
            let member = "M-\(firstMember + index)"
            for year in (isNew(index) ? [2026] : [2025, 2026]) {
                emit("mutualaid.member.enrolled.v1", member, [
                    "member_id": .string(member), "name": .string("社工\(index)"), "id_number": .string(SampleIdentity.person(100_000 + firstMember + index).number),
                    "phone": .string("13800138000"), "community_id": .string("COMM-\(index % 20)"), "plan_year": .integer(Int64(year)),
                    "enrolled_on": .string(year == 2025 ? "2025-01-10" : "2025-12-15"), "contribution_fen": .integer(enrolled(index) ? 10_000 : 9_000),
                ], at: 0)
            }
        }
        // Most claims are for everyday risks; deaths and disability are rare.
        let weighted = ["MINOR_ILLNESS", "MINOR_ILLNESS", "HOSPITALIZATION", "HOSPITALIZATION", "HOSPITALIZATION", "MEDICAL_HARDSHIP", "MEDICAL_HARDSHIP",
                        "ACCIDENT_MEDICAL", "ACCIDENT_MEDICAL", "HARDSHIP_CONDOLENCE", "CRITICAL_ILLNESS"].compactMap { plan.risk($0) }
        let rare = ["ACCIDENT_DISABILITY", "ACCIDENT_DEATH", "ILLNESS_DEATH"].compactMap { plan.risk($0) }
        var attempts = 0
        while output.count < count && attempts < 20 * count {
            attempts += 1
            let position = output.count
            if faultEvery > 0 && position % faultEvery == faultEvery - 1, let last = output.last {
                switch random.next() % 3 {
                case 0: output.append(last)
                case 1: output.append(SampleMessage(key: last.key, value: Array("{\"specversion\":".utf8)))
                default:
                    emit("mutualaid.claim.withdrawn.v1", last.key, ["claim_id": .string("C-none"), "member_id": .string(last.key), "reason": .string("x")],
                         at: position, id: "ma-\(seed)-\(sequence)")
                }
                continue
            }
            let today = start.adding(days: day(position))
            let roll = random.next() % 100
            if roll < 35 || (incomplete.isEmpty && complete.isEmpty) {
                let index = Int(random.next() % UInt64(members))
                guard enrolled(index) else { continue }
                let member = "M-\(firstMember + index)"
                var risk = random.next() % 60 == 0 ? rare[Int(random.next() % UInt64(rare.count))] : weighted[Int(random.next() % UInt64(weighted.count))]
                let incident = max(yearStart, today.adding(days: -Int(random.next() % 45)))
                if isNew(index) && incident < newMembersWaitUntil && risk.waitingPeriod {
                    guard let accident = plan.risk("ACCIDENT_MEDICAL") else { continue }
                    risk = accident
                }
                let key = "\(member)|\(risk.code)"
                guard !CapCalculator.exhausted(caps: risk.caps, usedThisYear: usedThisYear[key, default: 0], usedLifetime: usedLifetime[key, default: 0]),
                      !taken.contains("\(key)|\(incident)") else { continue }
                taken.insert("\(key)|\(incident)")
                let handedIn = risk.documents.filter { _ in random.next() % 3 != 0 }
                let claimID = "C-\(seed)-\(position)"
                var data: JSONObject = [
                    "claim_id": .string(claimID), "member_id": .string(member), "risk_code": .string(risk.code),
                    "incident_date": .string(incident.description), "documents": .array(handedIn.map(JSONValue.string)),
                ]
                switch risk.code {
                case "HOSPITALIZATION": data.members.append(("hospital_days", .integer(Int64(4 + random.next() % 30))))
                case "MEDICAL_HARDSHIP", "ACCIDENT_MEDICAL": data.members.append(("self_paid_fen", .integer(Int64(50_000 + random.next() % 1_500_000))))
                case "ACCIDENT_DISABILITY": data.members.append(("disability_grade", .integer(Int64(1 + random.next() % 10))))
                default: break
                }
                emit("mutualaid.claim.submitted.v1", member, data, at: position)
                let claim = Open(claim: claimID, member: member, risk: risk, incident: incident, missing: risk.documents.filter { !handedIn.contains($0) }, data: data)
                if claim.missing.isEmpty { complete.append(claim) } else { incomplete.append(claim) }
            } else if roll < 50, !incomplete.isEmpty {
                let pick = incomplete.remove(at: Int(random.next() % UInt64(incomplete.count)))
                complete.append(pick)
                emit("mutualaid.claim.documents_added.v1", pick.member, [
                    "claim_id": .string(pick.claim), "member_id": .string(pick.member), "documents": .array(pick.missing.map(JSONValue.string)),
                ], at: position)
            } else if roll < 75 {
                // Reviewers take complete claims; now and then one still missing documents (refused: ILLEGAL_TRANSITION).
                guard !complete.isEmpty else { continue }
                if !incomplete.isEmpty && random.next() % 40 == 0 {
                    let pick = incomplete[Int(random.next() % UInt64(incomplete.count))]
                    emit("mutualaid.claim.reviewed.v1", pick.member, [
                        "claim_id": .string(pick.claim), "member_id": .string(pick.member), "reviewer_id": .string("REVIEWER-\(position % 9)"),
                        "decision": .string("approve"), "reason": .string("材料核实"),
                    ], at: position)
                    continue
                }
                let pick = complete.remove(at: Int(random.next() % UInt64(complete.count)))
                let approve = random.next() % 8 != 0
                emit("mutualaid.claim.reviewed.v1", pick.member, [
                    "claim_id": .string(pick.claim), "member_id": .string(pick.member), "reviewer_id": .string("REVIEWER-\(position % 9)"),
                    "decision": .string(approve ? "approve" : "reject"), "reason": .string("材料核实"),
                ], at: position)
                let key = "\(pick.member)|\(pick.risk.code)"
                guard approve else {
                    taken.remove("\(key)|\(pick.incident)")
                    continue
                }
                func figure(_ name: String) -> Int64? {
                    pick.data.members.first { $0.0 == name }.flatMap { if case .integer(let value) = $0.1 { value } else { nil } }
                }
                let benefit = pick.risk.formula.benefit(hospitalDays: figure("hospital_days"), selfPaidFen: figure("self_paid_fen"),
                                                        disabilityGrade: figure("disability_grade"))
                let result = CapCalculator.payable(benefit: benefit, caps: pick.risk.caps, usedThisYear: usedThisYear[key, default: 0],
                                                   usedLifetime: usedLifetime[key, default: 0])
                guard result.payable > 0 else { continue }
                usedThisYear[key, default: 0] += result.payable
                usedLifetime[key, default: 0] += result.payable
                decided.append((pick.claim, pick.member, result.payable, false, false))
            } else if roll < 92, !decided.isEmpty {
                let index = Int(random.next() % UInt64(decided.count))
                let pick = decided[index]
                if !pick.failed && !pick.paid && random.next() % 10 == 0 {
                    decided[index].failed = true
                    emit("mutualaid.claim.payment_failed.v1", pick.member, [
                        "claim_id": .string(pick.claim), "member_id": .string(pick.member), "payment_ref": .string("PAY-\(pick.claim)-F"), "reason": .string("账户冻结"),
                    ], at: position)
                } else {
                    // The bank pays the approved amount (once in a while a wrong one: AMOUNT_MISMATCH, and the
                    // office pays again later); now and then it reports a payment twice (a silent duplicate).
                    let wrong = !pick.paid && random.next() % 50 == 0
                    if !wrong {
                        if pick.paid || random.next() % 20 != 0 { decided.remove(at: index) } else { decided[index].paid = true }
                    }
                    emit("mutualaid.claim.paid.v1", pick.member, [
                        "claim_id": .string(pick.claim), "member_id": .string(pick.member), "payment_ref": .string("PAY-\(pick.claim)"),
                        "amount_fen": .integer(wrong ? pick.approvedFen + 100 : pick.approvedFen), "paid_on": .string(today.description),
                    ], at: position)
                }
            } else if !incomplete.isEmpty || !complete.isEmpty {
                let pick = incomplete.isEmpty || (!complete.isEmpty && random.next() % 2 == 0)
                    ? complete.remove(at: Int(random.next() % UInt64(complete.count)))
                    : incomplete.remove(at: Int(random.next() % UInt64(incomplete.count)))
                taken.remove("\(pick.member)|\(pick.risk.code)|\(pick.incident)")
                emit("mutualaid.claim.withdrawn.v1", pick.member, [
                    "claim_id": .string(pick.claim), "member_id": .string(pick.member), "reason": .string("已由单位报销"),
                ], at: position)
            }
        }
        return output
    }
}
