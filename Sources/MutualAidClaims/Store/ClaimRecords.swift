import WorkerRuntime

/// What the mutual-aid rules read and write: members and their enrolments, claims with their history,
/// cap usage and payments. One implementation per store engine (`SQLiteClaimRecords`), opened on a
/// batch's transaction.
public protocol ClaimRecords {
    // Members and enrolments
    func communityID(of memberID: String) throws -> String?
    /// Whether another member enrolled with this identity number (compared as keyed hashes).
    func identityBelongsToAnother(_ number: String, memberID: String) throws -> Bool
    func upsertMember(_ enrolment: ClaimEvent.Enrolment) throws
    func enrolment(memberID: String, planYear: Int) throws -> MemberEnrolment?
    /// The same as `enrolment`, which never changes once written, so it may be remembered between events.
    func rememberedEnrolment(memberID: String, planYear: Int) throws -> MemberEnrolment?
    func insertEnrolment(_ enrolment: ClaimEvent.Enrolment, coverageFrom: LocalDate, waitingUntil: LocalDate?, renewal: Bool,
                         ruleVersion: String, context: EventContext) throws

    // Claims
    func claim(_ id: String) throws -> ClaimRecord?
    /// Whether the member has a claim for the same risk and incident date that is not REJECTED or WITHDRAWN.
    func hasSameClaim(memberID: String, riskCode: String, incidentDate: LocalDate) throws -> Bool
    /// Inserts a new claim with its first history entry; false (and nothing written) when the claim id is taken.
    func insertClaim(_ submission: ClaimEvent.Submission, planYear: Int, status: ClaimStateMachine.State, reasonCode: String?,
                     missing: [String], ruleVersion: String, context: EventContext) throws -> Bool
    func setDocuments(of claim: ClaimRecord, documents: [String], missing: [String]) throws
    /// Moves `claim` (as read in this event) to `status` and appends the change to its history; nil
    /// arguments keep what the claim has.
    func setStatus(_ claim: ClaimRecord, status: ClaimStateMachine.State, context: EventContext, reasonCode: String?,
                   approvedFen: Int64?, cappedBy: String?, paidFen: Int64?, ruleVersion: String?) throws

    // Caps and payments
    /// What the member was paid for the risk in the plan year and over all years, in fen.
    func usage(memberID: String, riskCode: String, planYear: Int) throws -> (year: Int64, lifetime: Int64)
    func recordUsage(claim: ClaimRecord, amountFen: Int64) throws
    func paymentRecorded(claimID: String, paymentRef: String) throws -> Bool
    /// Records an applied payment (failed payments and rejected `paid` events record nothing).
    func recordPayment(claimID: String, paymentRef: String, amountFen: Int64, paidOn: LocalDate, context: EventContext) throws
}

extension ClaimRecords {
    func setStatus(_ claim: ClaimRecord, status: ClaimStateMachine.State, context: EventContext, reasonCode: String? = nil,
                   approvedFen: Int64? = nil, cappedBy: String? = nil, paidFen: Int64? = nil, ruleVersion: String? = nil) throws {
        try setStatus(claim, status: status, context: context, reasonCode: reasonCode, approvedFen: approvedFen, cappedBy: cappedBy,
                      paidFen: paidFen, ruleVersion: ruleVersion)
    }
}

/// A member's enrolment for one plan year.
public struct MemberEnrolment: Sendable {
    public let planYear: Int
    public let coverageFrom: LocalDate
    public let waitingUntil: LocalDate?

    public init(planYear: Int, coverageFrom: LocalDate, waitingUntil: LocalDate?) {
        self.planYear = planYear
        self.coverageFrom = coverageFrom
        self.waitingUntil = waitingUntil
    }
}

/// A claim as the rules see it.
public struct ClaimRecord: Sendable {
    /// Where the row is in its store: updates rewrite it by this, with no second search of the claim-id index.
    public let rowID: Int64
    public let id: String
    public let memberID: String
    public let riskCode: String
    public let incidentDate: LocalDate
    public let planYear: Int
    public let status: ClaimStateMachine.State
    public let documents: [String]
    public let hospitalDays: Int64?
    public let selfPaidFen: Int64?
    public let disabilityGrade: Int64?
    public let approvedFen: Int64?
    /// History entries so far: the place of the next one.
    public let historyCount: Int64

    public init(rowID: Int64, id: String, memberID: String, riskCode: String, incidentDate: LocalDate, planYear: Int, status: ClaimStateMachine.State,
                documents: [String], hospitalDays: Int64?, selfPaidFen: Int64?, disabilityGrade: Int64?, approvedFen: Int64?, historyCount: Int64) {
        self.rowID = rowID
        self.id = id
        self.memberID = memberID
        self.riskCode = riskCode
        self.incidentDate = incidentDate
        self.planYear = planYear
        self.status = status
        self.documents = documents
        self.hospitalDays = hospitalDays
        self.selfPaidFen = selfPaidFen
        self.disabilityGrade = disabilityGrade
        self.approvedFen = approvedFen
        self.historyCount = historyCount
    }
}

/// Document lists as stored: a JSON array of strings.
enum ClaimDocuments {
    static func decode(_ json: String?) -> [String] {
        guard let json, case .array(let values)? = try? JSONParser.parse(Array(json.utf8)) else { return [] }
        return values.compactMap(\.stringValue)
    }

    static func encode(_ documents: [String]) -> String {
        String(decoding: JSONWriter.encode(.array(documents.map(JSONValue.string))), as: UTF8.self)
    }
}
