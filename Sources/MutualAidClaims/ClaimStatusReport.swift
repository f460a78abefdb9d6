import WorkerRuntime

/// One claim as staff and members see it (`claim-status`): the facts, the masked member name and the
/// timeline of status changes. Read from the store only; never an identity or phone number.
public struct ClaimStatusReport: Sendable {
    public struct TimelineEntry: Sendable {
        public let at: String
        public let status: String
        public let eventID: String
        public let eventType: String
    }

    public let claimID: String
    public let memberID: String
    /// Masked (first and last character kept); nil when the member never enrolled.
    public let memberName: String?
    public let riskCode: String
    public let status: String
    public let incidentDate: String
    public let submittedAt: String
    public let approvedFen: Int64?
    public let paidFen: Int64?
    public let cappedBy: String?
    public let missingDocuments: [String]
    public let reasonCode: String?
    public let timeline: [TimelineEntry]

    /// The claim, or nil when there is none.
    public static func load(claimID: String, store: StoreReader) throws -> ClaimStatusReport? {
        guard let row = try store.rows("""
            SELECT c.member_id, c.risk_code, c.status, c.incident_date, c.submitted_at, c.approved_fen, c.paid_fen, c.capped_by,
                c.missing_documents, c.reason_code, m.name
            FROM ma_claims c LEFT JOIN ma_members m ON m.member_id = c.member_id WHERE c.claim_id = ?
            """, [.text(claimID)]).first else { return nil }
        let timeline = try store.rows("SELECT at, status, event_id, event_type FROM ma_claim_history WHERE claim_id = ? ORDER BY seq", [.text(claimID)]).map {
            TimelineEntry(at: $0.text(0) ?? "", status: $0.text(1) ?? "", eventID: $0.text(2) ?? "", eventType: $0.text(3) ?? "")
        }
        return ClaimStatusReport(
            claimID: claimID, memberID: row.text(0) ?? "", memberName: row.text(10).map(FieldFormats.maskName),
            riskCode: row.text(1) ?? "", status: row.text(2) ?? "", incidentDate: row.text(3) ?? "", submittedAt: row.text(4) ?? "",
            approvedFen: row.integer(5), paidFen: row.integer(6), cappedBy: row.text(7),
            missingDocuments: ClaimDocuments.decode(row.text(8)), reasonCode: row.text(9), timeline: timeline)
    }

    /// A member's claims, oldest submission first.
    public static func load(memberID: String, store: StoreReader) throws -> [ClaimStatusReport] {
        try store.rows("SELECT claim_id FROM ma_claims WHERE member_id = ? ORDER BY submitted_at, claim_id", [.text(memberID)])
            .compactMap { $0.text(0) }
            .compactMap { try load(claimID: $0, store: store) }
    }

    /// The JSON object of the contract, members in its order.
    public var json: JSONValue {
        func optional(_ value: Int64?) -> JSONValue { value.map(JSONValue.integer) ?? .null }
        func optional(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "claim_id": .string(claimID), "member_id": .string(memberID), "member_name": optional(memberName), "risk_code": .string(riskCode),
            "status": .string(status), "incident_date": .string(incidentDate), "submitted_at": .string(submittedAt),
            "approved_fen": optional(approvedFen), "paid_fen": optional(paidFen), "capped_by": optional(cappedBy),
            "missing_documents": .array(missingDocuments.map(JSONValue.string)), "reason_code": optional(reasonCode),
            "timeline": .array(timeline.map { entry in
                .object(["at": .string(entry.at), "status": .string(entry.status), "event_id": .string(entry.eventID), "event_type": .string(entry.eventType)])
            }),
        ])
    }

    static let statusNames = [
        "DOCUMENTS_REQUESTED": "待补材料", "UNDER_REVIEW": "审核中", "APPROVED": "已核准", "REJECTED": "未通过", "PAID": "已发放",
        "PAYMENT_FAILED": "发放失败", "WITHDRAWN": "已撤回",
    ]

    /// The same facts for a person to read, in Chinese, amounts in 元.
    public var text: String {
        func yuan(_ fen: Int64?) -> String { fen.map { "\(ClaimNotices.yuan($0)) 元" } ?? "—" }
        func named(_ status: String) -> String { "\(Self.statusNames[status] ?? status)（\(status)）" }
        var lines = [
            "互助申请 \(claimID)",
            "成员：\(memberName ?? "（未入会）")（\(memberID)）",
            "保障项目：\(ClaimNotices.risk(riskCode))（\(riskCode)）",
            "状态：\(named(status))",
            "事故日期：\(incidentDate)",
            "提交时间：\(submittedAt)",
            "核准金额：\(yuan(approvedFen))",
            "已发放：\(yuan(paidFen))",
            "限额：\(cappedBy.map { ["claim": "单次限额", "year": "年度限额", "lifetime": "终身限额"][$0] ?? $0 } ?? "—")",
            "待补材料：\(missingDocuments.isEmpty ? "无" : missingDocuments.joined(separator: "、"))",
            "原因：\(reasonCode.map { "\(ClaimNotices.reasonText($0))（\($0)）" } ?? "—")",
            "进度：",
        ]
        lines += timeline.map { "  \($0.at)  \(named($0.status))  \($0.eventType)  \($0.eventID)" }
        return lines.joined(separator: "\n")
    }
}
