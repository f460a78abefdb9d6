import WorkerRuntime

/// The mutual-aid notifications, with their params as the contract lists them and Chinese text.
enum ClaimNotices {
    static let riskNames: [String: String] = [
        "CRITICAL_ILLNESS": "重大疾病", "MINOR_ILLNESS": "一般疾病", "HOSPITALIZATION": "住院", "MEDICAL_HARDSHIP": "医疗困难",
        "ACCIDENT_MEDICAL": "意外医疗", "ACCIDENT_DISABILITY": "意外伤残", "ACCIDENT_DEATH": "意外身故", "ILLNESS_DEATH": "疾病身故",
        "HARDSHIP_CONDOLENCE": "困难慰问",
    ]

    static func risk(_ code: String) -> String { riskNames[code] ?? code }

    /// Fen as 元 with two decimals: `1200.00`.
    static func yuan(_ fen: Int64) -> String {
        let sign = fen < 0 ? "-" : ""
        let magnitude = abs(fen)
        let cents = magnitude % 100
        return "\(sign)\(magnitude / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    static func enrolled(memberID: String, planYear: Int, coverageFrom: LocalDate, waitingUntil: LocalDate?) -> Notification {
        Notification(template: "mutualaid.member.enrolled", recipient: .member, id: memberID,
                     params: ["plan_year": .integer(Int64(planYear)), "coverage_from": .string(coverageFrom.description),
                              "waiting_until": waitingUntil.map { .string($0.description) } ?? .null],
                     text: "您已加入 \(planYear) 年度社区工作者互助关爱计划，保障自 \(coverageFrom) 起生效"
                        + (waitingUntil.map { "，疾病类保障等待期至 \($0)。" } ?? "。"))
    }

    static func received(memberID: String, claimID: String, riskCode: String) -> Notification {
        Notification(template: "mutualaid.claim.received", recipient: .member, id: memberID,
                     params: ["claim_id": .string(claimID), "risk_code": .string(riskCode)],
                     text: "您的\(risk(riskCode))互助申请 \(claimID) 已受理。")
    }

    static func documentsRequested(memberID: String, claimID: String, missing: [String]) -> Notification {
        Notification(template: "mutualaid.claim.documents_requested", recipient: .member, id: memberID,
                     params: ["claim_id": .string(claimID), "missing_documents": .array(missing.map(JSONValue.string))],
                     text: "申请 \(claimID) 还需补充材料：\(missing.joined(separator: "、"))。")
    }

    static func reviewRequested(communityID: String, claimID: String, riskCode: String) -> Notification {
        Notification(template: "mutualaid.claim.review_requested", recipient: .reviewer, id: communityID,
                     params: ["claim_id": .string(claimID), "risk_code": .string(riskCode)],
                     text: "互助申请 \(claimID)（\(risk(riskCode))）材料齐全，请审核。")
    }

    static func rejected(memberID: String, claimID: String, reasonCode: String) -> Notification {
        Notification(template: "mutualaid.claim.rejected", recipient: .member, id: memberID,
                     params: ["claim_id": .string(claimID), "reason_code": .string(reasonCode)],
                     text: "很遗憾，您的互助申请 \(claimID) 未获通过（\(reasonText(reasonCode))）。如有疑问请联系所在社区。")
    }

    static func approved(memberID: String, claimID: String, approvedFen: Int64, cappedBy: String?) -> Notification {
        Notification(template: "mutualaid.claim.approved", recipient: .member, id: memberID,
                     params: ["claim_id": .string(claimID), "approved_fen": .integer(approvedFen), "capped_by": cappedBy.map(JSONValue.string) ?? .null],
                     text: "您的互助申请 \(claimID) 已核准，互助金 \(yuan(approvedFen)) 元" + (cappedBy == nil ? "。" : "（已按限额核定）。"))
    }

    static func paid(memberID: String, claimID: String, amountFen: Int64, paymentRef: String) -> Notification {
        Notification(template: "mutualaid.claim.paid", recipient: .member, id: memberID,
                     params: ["claim_id": .string(claimID), "amount_fen": .integer(amountFen), "payment_ref": .string(paymentRef)],
                     text: "互助金 \(yuan(amountFen)) 元已发放（申请 \(claimID)，流水号 \(paymentRef)）。")
    }

    static func paymentFailed(recipient kind: RecipientKind, id: String, claimID: String, paymentRef: String, reason: String) -> Notification {
        Notification(template: "mutualaid.claim.payment_failed", recipient: kind, id: id,
                     params: ["claim_id": .string(claimID), "payment_ref": .string(paymentRef), "reason": .string(reason)],
                     text: "申请 \(claimID) 的互助金发放未成功（\(reason)），将重新发放。")
    }

    static func withdrawn(memberID: String, claimID: String) -> Notification {
        Notification(template: "mutualaid.claim.withdrawn", recipient: .member, id: memberID, params: ["claim_id": .string(claimID)],
                     text: "您的互助申请 \(claimID) 已撤回。")
    }

    static func reasonText(_ code: String) -> String {
        switch code {
        case "NOT_ENROLLED": "事故发生时未在保障期内"
        case "WAITING_PERIOD": "事故发生在等待期内"
        case "INCIDENT_IN_FUTURE": "事故日期晚于申请日期"
        case "TIME_BARRED": "已超过两年申请时限"
        case "DUPLICATE_CLAIM": "同一事故已有申请"
        case "NO_BENEFIT_DUE": "按规则无应付互助金"
        case "BENEFIT_EXHAUSTED": "该项保障额度已用完"
        case "REVIEW_REJECTED": "审核未通过"
        default: code
        }
    }
}
