import WorkerRuntime

/// A realistic, seeded stream for `welfare.mutual-aid-claims`: enrolments over two plan years, claims of
/// every risk moving through documents, review, payment (some failing first) and withdrawal, plus the
/// faults upstream systems make (re-sends, reused ids, malformed messages).
public struct MutualAidClaimsStream {
    public var members: Int
    public var seed: UInt64
    public var faultEvery: Int

    public init(members: Int = 150, seed: UInt64 = 3, faultEvery: Int = 50) {
        self.members = members
        self.seed = seed
        self.faultEvery = faultEvery
    }

    static let risks: [(code: String, documents: [String])] = [
        ("CRITICAL_ILLNESS", ["id_card", "diagnosis", "pathology_report"]), ("MINOR_ILLNESS", ["id_card", "diagnosis"]),
        ("HOSPITALIZATION", ["id_card", "discharge_summary", "invoice"]), ("MEDICAL_HARDSHIP", ["id_card", "invoice", "settlement_sheet"]),
        ("ACCIDENT_MEDICAL", ["id_card", "accident_proof", "invoice"]), ("ACCIDENT_DISABILITY", ["id_card", "accident_proof", "disability_assessment"]),
        ("ACCIDENT_DEATH", ["death_certificate", "accident_proof", "heir_proof"]), ("ILLNESS_DEATH", ["death_certificate", "heir_proof"]),
        ("HARDSHIP_CONDOLENCE", ["id_card", "hardship_statement"]),
    ]

    public func messages(count: Int) -> [SampleMessage] {
        var random = SeededRandom(seed: seed)
        var output: [SampleMessage] = []
        var sequence = 0
        struct Open { let claim: String; let member: String; let missing: [String] }
        // Open claims still missing documents, and open claims ready for review.
        var incomplete: [Open] = []
        var complete: [Open] = []
        var decided: [(claim: String, member: String)] = []
        let start = LocalDate(year: 2026, month: 3, day: 1)!
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
        for index in 0..<members {
            let member = "M-\(index)"
            for year in (index % 3 == 0 ? [2026] : [2025, 2026]) {
                emit("mutualaid.member.enrolled.v1", member, [
                    "member_id": .string(member), "name": .string("社工\(index)"), "id_number": .string(SampleIdentity.person(100_000 + index).number),
                    "phone": .string("13800138000"), "community_id": .string("COMM-\(index % 20)"), "plan_year": .integer(Int64(year)),
                    "enrolled_on": .string(year == 2025 ? "2025-01-10" : "2025-12-15"), "contribution_fen": .integer(index % 41 == 0 ? 9_000 : 10_000),
                ], at: 0)
            }
        }
        while output.count < count {
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
            let roll = random.next() % 100
            if roll < 35 || (incomplete.isEmpty && complete.isEmpty) {
                let member = "M-\(random.next() % UInt64(members))"
                let risk = Self.risks[Int(random.next() % UInt64(Self.risks.count))]
                let handedIn = risk.documents.filter { _ in random.next() % 3 != 0 }
                var data: JSONObject = [
                    "claim_id": .string("C-\(seed)-\(position)"), "member_id": .string(member), "risk_code": .string(risk.code),
                    "incident_date": .string(start.adding(days: day(position) - Int(random.next() % 200)).description),
                    "documents": .array(handedIn.map(JSONValue.string)),
                ]
                switch risk.code {
                case "HOSPITALIZATION": data.members.append(("hospital_days", .integer(Int64(1 + random.next() % 40))))
                case "MEDICAL_HARDSHIP", "ACCIDENT_MEDICAL": data.members.append(("self_paid_fen", .integer(Int64(1_000 + random.next() % 2_000_000))))
                case "ACCIDENT_DISABILITY": data.members.append(("disability_grade", .integer(Int64(1 + random.next() % 10))))
                default: break
                }
                emit("mutualaid.claim.submitted.v1", member, data, at: position)
                let claim = Open(claim: "C-\(seed)-\(position)", member: member, missing: risk.documents.filter { !handedIn.contains($0) })
                if claim.missing.isEmpty { complete.append(claim) } else { incomplete.append(claim) }
            } else if roll < 50, !incomplete.isEmpty {
                let pick = incomplete.remove(at: Int(random.next() % UInt64(incomplete.count)))
                complete.append(pick)
                emit("mutualaid.claim.documents_added.v1", pick.member, [
                    "claim_id": .string(pick.claim), "member_id": .string(pick.member), "documents": .array(pick.missing.map(JSONValue.string)),
                ], at: position)
            } else if roll < 75 {
                // Reviewers take complete claims; now and then one still missing documents (refused: ILLEGAL_TRANSITION).
                let fromIncomplete = complete.isEmpty || (!incomplete.isEmpty && random.next() % 25 == 0)
                let pick = fromIncomplete ? incomplete.remove(at: Int(random.next() % UInt64(incomplete.count)))
                    : complete.remove(at: Int(random.next() % UInt64(complete.count)))
                let approve = random.next() % 5 != 0
                emit("mutualaid.claim.reviewed.v1", pick.member, [
                    "claim_id": .string(pick.claim), "member_id": .string(pick.member), "reviewer_id": .string("REVIEWER-\(position % 9)"),
                    "decision": .string(approve ? "approve" : "reject"), "reason": .string("材料核实"),
                ], at: position)
                // Only approved claims go on to payment (a review may still be refused, e.g. for missing documents).
                if approve { decided.append((pick.claim, pick.member)) }
            } else if roll < 92, !decided.isEmpty {
                let index = Int(random.next() % UInt64(decided.count))
                let pick = decided[index]
                if random.next() % 6 == 0 {
                    emit("mutualaid.claim.payment_failed.v1", pick.member, [
                        "claim_id": .string(pick.claim), "member_id": .string(pick.member), "payment_ref": .string("PAY-\(pick.claim)"), "reason": .string("账户冻结"),
                    ], at: position)
                } else {
                    // The bank pays what it was told; a wrong amount is refused (AMOUNT_MISMATCH). Either way the
                    // payment office is done with the claim (now and then it reports a payment twice).
                    if random.next() % 20 != 0 { decided.remove(at: index) }
                    emit("mutualaid.claim.paid.v1", pick.member, [
                        "claim_id": .string(pick.claim), "member_id": .string(pick.member), "payment_ref": .string("PAY-\(pick.claim)"),
                        "amount_fen": .integer(200_000), "paid_on": .string(start.adding(days: day(position)).description),
                    ], at: position)
                }
            } else {
                let pick = incomplete.isEmpty || (!complete.isEmpty && random.next() % 2 == 0)
                    ? complete.remove(at: Int(random.next() % UInt64(complete.count)))
                    : incomplete.remove(at: Int(random.next() % UInt64(incomplete.count)))
                emit("mutualaid.claim.withdrawn.v1", pick.member, [
                    "claim_id": .string(pick.claim), "member_id": .string(pick.member), "reason": .string("已由单位报销"),
                ], at: position)
            }
        }
        return output
    }
}
