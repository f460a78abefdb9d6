import WorkerRuntime

/// A decoded mutual-aid event.
public enum ClaimEvent: Sendable {
    case enrolled(Enrolment)
    case submitted(Submission)
    case documentsAdded(claimID: String, memberID: String, documents: [String])
    case reviewed(claimID: String, memberID: String, reviewerID: String, approve: Bool, reason: String)
    case paid(claimID: String, memberID: String, paymentRef: String, amountFen: Int64, paidOn: LocalDate)
    case paymentFailed(claimID: String, memberID: String, paymentRef: String, reason: String)
    case withdrawn(claimID: String, memberID: String, reason: String)

    public struct Enrolment: Sendable {
        public let memberID: String
        public let name: String
        public let identityNumber: String
        public let communityID: String
        public let planYear: Int
        public let enrolledOn: LocalDate
        public let contributionFen: Int64
    }

    public struct Submission: Sendable {
        public let claimID: String
        public let memberID: String
        public let riskCode: String
        public let incidentDate: LocalDate
        public let documents: [String]
        public let hospitalDays: Int64?
        public let selfPaidFen: Int64?
        public let disabilityGrade: Int64?
    }

    public static let types: Set<String> = [
        "mutualaid.member.enrolled.v1", "mutualaid.claim.submitted.v1", "mutualaid.claim.documents_added.v1", "mutualaid.claim.reviewed.v1",
        "mutualaid.claim.paid.v1", "mutualaid.claim.payment_failed.v1", "mutualaid.claim.withdrawn.v1",
    ]

    /// Decodes `data`; `risks` are the plan's risk codes (a risk outside them is INVALID_DATA).
    public static func decode(type: String, data: DataReader, risks: [String]) throws(DataError) -> ClaimEvent {
        func documents() throws(DataError) -> [String] {
            try data.stringList("documents") { (document, path) throws(DataError) in
                guard FieldFormats.isIdentifier(document) else { throw DataError(path: path, problem: "must be a document type") }
            }
        }
        switch type {
        case "mutualaid.member.enrolled.v1":
            let identity = try data.residentIdentityNumber("id_number")
            _ = try data.mobileNumber("phone")  // checked, never stored
            return .enrolled(Enrolment(
                memberID: try data.identifier("member_id"), name: try data.string("name", length: 1...50), identityNumber: identity.number,
                communityID: try data.identifier("community_id"), planYear: Int(try data.integer("plan_year", in: 2000...2200)),
                enrolledOn: try data.date("enrolled_on"), contributionFen: try data.integer("contribution_fen", in: 0...100_000_000)))
        case "mutualaid.claim.submitted.v1":
            let risk = try data.oneOf("risk_code", risks)
            return .submitted(Submission(
                claimID: try data.identifier("claim_id"), memberID: try data.identifier("member_id"), riskCode: risk,
                incidentDate: try data.date("incident_date"), documents: try documents(),
                hospitalDays: risk == "HOSPITALIZATION" ? try data.integer("hospital_days", in: 1...365) : nil,
                selfPaidFen: ["MEDICAL_HARDSHIP", "ACCIDENT_MEDICAL"].contains(risk) ? try data.integer("self_paid_fen", in: 1...Int64(Int32.max) * 1000) : nil,
                disabilityGrade: risk == "ACCIDENT_DISABILITY" ? try data.integer("disability_grade", in: 1...10) : nil))
        case "mutualaid.claim.documents_added.v1":
            return .documentsAdded(claimID: try data.identifier("claim_id"), memberID: try data.identifier("member_id"), documents: try documents())
        case "mutualaid.claim.reviewed.v1":
            return .reviewed(claimID: try data.identifier("claim_id"), memberID: try data.identifier("member_id"),
                             reviewerID: try data.identifier("reviewer_id"), approve: try data.oneOf("decision", ["approve", "reject"]) == "approve",
                             reason: try data.string("reason", length: 0...500))
        case "mutualaid.claim.paid.v1":
            return .paid(claimID: try data.identifier("claim_id"), memberID: try data.identifier("member_id"), paymentRef: try data.identifier("payment_ref"),
                         amountFen: try data.integer("amount_fen", in: 0...Int64(Int32.max) * 1000), paidOn: try data.date("paid_on"))
        case "mutualaid.claim.payment_failed.v1":
            return .paymentFailed(claimID: try data.identifier("claim_id"), memberID: try data.identifier("member_id"),
                                  paymentRef: try data.identifier("payment_ref"), reason: try data.string("reason", length: 1...500))
        default:
            return .withdrawn(claimID: try data.identifier("claim_id"), memberID: try data.identifier("member_id"), reason: try data.string("reason", length: 1...500))
        }
    }
}
