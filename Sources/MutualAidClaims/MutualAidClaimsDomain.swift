import WorkerRuntime

/// The mutual-aid claims domain (contract `mutual-aid-claims.md`): enrolments with waiting periods, claims
/// through their lifecycle (documents, review, payment), benefits and caps from a versioned plan.
public struct MutualAidClaimsDomain: WorkerDomain {
    public static let workerName = "mutual-aid-claims"
    public static let defaultInputTopic = "welfare.mutual-aid-claims"
    /// 8,000-event transactions: faster than smaller ones, while 10,000 went past the memory target.
    public static var defaultBatchMaxMessages: Int { 8_000 }
    public static let configurationKeys = [
        ConfigurationKey("domain.plan_file", default: nil, "The plan YAML (versioned risk table, contribution, waiting period); without it, the contract's plan"),
    ]

    public let plan: PlanSettings
    public var workerName: String { Self.workerName }
    public var identityHashColumns: [IdentityHashColumn] { [IdentityHashColumn(table: "ma_members", column: "identity_hash")] }
    public var entityIDField: String { "member_id" }
    public var eventTypes: Set<String> { ClaimEvent.types }

    public init(plan: PlanSettings = .contract) { self.plan = plan }

    public init(configuration: WorkerConfiguration) throws {
        plan = try configuration.optionalString("domain.plan_file").map(PlanSettings.load(path:)) ?? .contract
    }

    public static func controls(of engine: WorkerEngine<MutualAidClaimsDomain>) -> EngineControls { EngineControls(engine) }

    public func decode(type: String, data: DataReader) throws(DataError) -> ClaimEvent {
        try ClaimEvent.decode(type: type, data: data, risks: plan.risks.map(\.code))
    }

    public typealias Records = any ClaimRecords

    public func schema(for engine: StoreEngine) -> [SchemaMigration] {
        switch engine {
        case .sqlite: ClaimSchema.sqlite
        case .postgresql: ClaimSchema.postgresql
        }
    }

    public func records(in transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws -> any ClaimRecords {
        switch transaction.engine {
        case .sqlite: try SQLiteClaimRecords(transaction, identity: identity, memo: memo)
        case .postgresql: try PostgresClaimRecords(transaction, identity: identity, memo: memo)
        }
    }

    public func apply(_ event: ClaimEvent, context: EventContext, records store: any ClaimRecords) throws -> DomainDecision {
        switch event {
        case .enrolled(let enrolment): return try enrol(enrolment, context, store)
        case .submitted(let submission): return try submit(submission, context, store)
        case .documentsAdded(let claimID, let memberID, let documents):
            guard let claim = try store.claim(claimID), claim.memberID == memberID else { return unknownClaim(claimID, memberID) }
            guard ClaimStateMachine.allows(.addDocuments, from: claim.status) else { return illegal(claim) }
            let received = claim.documents + documents.filter { !claim.documents.contains($0) }
            let stillMissing = claim.status == .documentsRequested ? missing(for: claim.riskCode, received: received) : []
            try store.setDocuments(of: claim, documents: received, missing: stillMissing)
            guard claim.status == .documentsRequested, stillMissing.isEmpty,
                  let community = try store.communityID(of: memberID) else { return .applied([]) }
            try store.setStatus(claim, status: .underReview, context: context)
            return .applied([ClaimNotices.reviewRequested(communityID: community, claimID: claimID, riskCode: claim.riskCode)])
        case .reviewed(let claimID, let memberID, let reviewerID, let approve, _):
            guard let claim = try store.claim(claimID), claim.memberID == memberID else { return unknownClaim(claimID, memberID) }
            guard ClaimStateMachine.allows(.review, from: claim.status) else { return illegal(claim) }
            guard reviewerID != memberID else { return reject("SELF_REVIEW", "a member cannot review their own claim") }
            guard approve else {
                try store.setStatus(claim, status: .rejected, context: context, reasonCode: "REVIEW_REJECTED")
                return .applied([ClaimNotices.rejected(memberID: memberID, claimID: claimID, reasonCode: "REVIEW_REJECTED")])
            }
            guard let risk = plan.risk(claim.riskCode) else { return reject("UNKNOWN_CLAIM", "risk \(claim.riskCode) is not in plan \(plan.version)") }
            let used = try store.usage(memberID: memberID, riskCode: claim.riskCode, planYear: claim.planYear)
            let benefit = risk.formula.benefit(hospitalDays: claim.hospitalDays, selfPaidFen: claim.selfPaidFen, disabilityGrade: claim.disabilityGrade)
            let result = CapCalculator.payable(benefit: benefit, caps: risk.caps, usedThisYear: used.year, usedLifetime: used.lifetime)
            guard result.payable > 0 else {
                try store.setStatus(claim, status: .rejected, context: context, reasonCode: "BENEFIT_EXHAUSTED", ruleVersion: plan.version)
                return .applied([ClaimNotices.rejected(memberID: memberID, claimID: claimID, reasonCode: "BENEFIT_EXHAUSTED")])
            }
            try store.setStatus(claim, status: .approved, context: context, approvedFen: result.payable, cappedBy: result.cappedBy,
                                ruleVersion: plan.version)
            try store.recordUsage(claim: claim, amountFen: result.payable)
            return .applied([ClaimNotices.approved(memberID: memberID, claimID: claimID, approvedFen: result.payable, cappedBy: result.cappedBy)])
        case .paid(let claimID, let memberID, let paymentRef, let amountFen, let paidOn):
            guard let claim = try store.claim(claimID), claim.memberID == memberID else { return unknownClaim(claimID, memberID) }
            if try store.paymentRecorded(claimID: claimID, paymentRef: paymentRef) {
                return .duplicate(detail: "payment \(paymentRef) was already recorded for claim \(claimID)")
            }
            guard ClaimStateMachine.allows(.pay, from: claim.status) else { return illegal(claim) }
            guard amountFen == claim.approvedFen else {
                return reject("AMOUNT_MISMATCH", "amount_fen \(amountFen) differs from the approved \(claim.approvedFen ?? 0)")
            }
            try store.setStatus(claim, status: .paid, context: context, paidFen: amountFen)
            try store.recordPayment(claimID: claimID, paymentRef: paymentRef, amountFen: amountFen, paidOn: paidOn, context: context)
            return .applied([ClaimNotices.paid(memberID: memberID, claimID: claimID, amountFen: amountFen, paymentRef: paymentRef)])
        case .paymentFailed(let claimID, let memberID, let paymentRef, let reason):
            guard let claim = try store.claim(claimID), claim.memberID == memberID else { return unknownClaim(claimID, memberID) }
            guard ClaimStateMachine.allows(.failPayment, from: claim.status) else { return illegal(claim) }
            try store.setStatus(claim, status: .paymentFailed, context: context)
            return .applied([
                ClaimNotices.paymentFailed(recipient: .member, id: memberID, claimID: claimID, paymentRef: paymentRef, reason: reason),
                ClaimNotices.paymentFailed(recipient: .finance, id: "finance", claimID: claimID, paymentRef: paymentRef, reason: reason),
            ])
        case .withdrawn(let claimID, let memberID, _):
            guard let claim = try store.claim(claimID), claim.memberID == memberID else { return unknownClaim(claimID, memberID) }
            guard ClaimStateMachine.allows(.withdraw, from: claim.status) else { return illegal(claim) }
            try store.setStatus(claim, status: .withdrawn, context: context)
            return .applied([ClaimNotices.withdrawn(memberID: memberID, claimID: claimID)])
        }
    }

    private func enrol(_ enrolment: ClaimEvent.Enrolment, _ context: EventContext, _ store: any ClaimRecords) throws -> DomainDecision {
        if try store.enrolment(memberID: enrolment.memberID, planYear: enrolment.planYear) != nil {
            return reject("DUPLICATE_SHARE", "member \(enrolment.memberID) is already enrolled for \(enrolment.planYear)")
        }
        if try store.identityBelongsToAnother(enrolment.identityNumber, memberID: enrolment.memberID) {
            return reject("DUPLICATE_IDENTITY", "the identity number belongs to another member")
        }
        guard enrolment.contributionFen == plan.contributionFen else {
            return reject("CONTRIBUTION_MISMATCH", "contribution_fen \(enrolment.contributionFen) is not the plan's \(plan.contributionFen)")
        }
        let renewal = try store.enrolment(memberID: enrolment.memberID, planYear: enrolment.planYear - 1) != nil
        let coverageFrom = renewal ? LocalDate(year: enrolment.planYear, month: 1, day: 1) ?? enrolment.enrolledOn : enrolment.enrolledOn
        let waitingUntil = renewal ? nil : enrolment.enrolledOn.adding(days: plan.waitingPeriodDays)
        try store.upsertMember(enrolment)
        try store.insertEnrolment(enrolment, coverageFrom: coverageFrom, waitingUntil: waitingUntil, renewal: renewal, ruleVersion: plan.version, context: context)
        return .applied([ClaimNotices.enrolled(memberID: enrolment.memberID, planYear: enrolment.planYear, coverageFrom: coverageFrom, waitingUntil: waitingUntil)])
    }

    private func submit(_ submission: ClaimEvent.Submission, _ context: EventContext, _ store: any ClaimRecords) throws -> DomainDecision {
        // DUPLICATE_CLAIM_ID comes first in the contract: the checks below only read, and the claim's insert
        // finds a taken id (whatever they decided), so no lookup is needed before them.
        let duplicate = reject("DUPLICATE_CLAIM_ID", "claim \(submission.claimID) already exists")
        // Unreachable in practice: the decoder accepts only the plan's risk codes.
        guard let risk = plan.risk(submission.riskCode) else { return reject("NOT_ENROLLED", "risk \(submission.riskCode) is not in plan \(plan.version)") }
        let planYear = submission.incidentDate.year
        let enrolment = try store.rememberedEnrolment(memberID: submission.memberID, planYear: planYear)
        let used = try store.usage(memberID: submission.memberID, riskCode: submission.riskCode, planYear: planYear)
        let benefit = risk.formula.benefit(hospitalDays: submission.hospitalDays, selfPaidFen: submission.selfPaidFen, disabilityGrade: submission.disabilityGrade)
        var refusal: (String, String)?
        if enrolment == nil || enrolment.map({ $0.coverageFrom > submission.incidentDate }) == true {
            refusal = ("NOT_ENROLLED", "no cover for \(submission.incidentDate) in plan year \(planYear)")
        } else if risk.waitingPeriod, let until = enrolment?.waitingUntil, submission.incidentDate < until {
            refusal = ("WAITING_PERIOD", "the incident on \(submission.incidentDate) is before the end of the waiting period \(until)")
        } else if submission.incidentDate > context.date {
            refusal = ("INCIDENT_IN_FUTURE", "incident_date \(submission.incidentDate) is after the event's date \(context.date)")
        } else if context.date > submission.incidentDate.adding(years: 2) {
            refusal = ("TIME_BARRED", "more than two years after the incident on \(submission.incidentDate)")
        } else if try store.hasSameClaim(memberID: submission.memberID, riskCode: submission.riskCode, incidentDate: submission.incidentDate) {
            refusal = ("DUPLICATE_CLAIM", "a claim for the same risk and incident date is open or decided")
        } else if benefit == 0 {
            refusal = ("NO_BENEFIT_DUE", "the benefit works out to 0")
        } else if CapCalculator.exhausted(caps: risk.caps, usedThisYear: used.year, usedLifetime: used.lifetime) {
            refusal = ("BENEFIT_EXHAUSTED", "a cap of \(submission.riskCode) has no room left")
        }
        if let (code, detail) = refusal {
            guard try store.insertClaim(submission, planYear: planYear, status: .rejected, reasonCode: code, missing: [], ruleVersion: plan.version,
                                        context: context) else { return duplicate }
            return .rejected(reasonCode: code, detail: detail, notices: [ClaimNotices.rejected(memberID: submission.memberID, claimID: submission.claimID, reasonCode: code)])
        }
        let missingDocuments = missing(for: submission.riskCode, received: submission.documents)
        var notices = [ClaimNotices.received(memberID: submission.memberID, claimID: submission.claimID, riskCode: submission.riskCode)]
        if missingDocuments.isEmpty {
            guard try store.insertClaim(submission, planYear: planYear, status: .underReview, reasonCode: nil, missing: [], ruleVersion: plan.version,
                                        context: context) else { return duplicate }
            let community = try store.communityID(of: submission.memberID) ?? "unknown"
            notices.append(ClaimNotices.reviewRequested(communityID: community, claimID: submission.claimID, riskCode: submission.riskCode))
        } else {
            guard try store.insertClaim(submission, planYear: planYear, status: .documentsRequested, reasonCode: nil, missing: missingDocuments,
                                        ruleVersion: plan.version, context: context) else { return duplicate }
            notices.append(ClaimNotices.documentsRequested(memberID: submission.memberID, claimID: submission.claimID, missing: missingDocuments))
        }
        return .applied(notices)
    }

    /// Required documents of a risk not yet received, in the table's order.
    func missing(for riskCode: String, received: [String]) -> [String] {
        (plan.risk(riskCode)?.documents ?? []).filter { !received.contains($0) }
    }

    private func unknownClaim(_ claimID: String, _ memberID: String) -> DomainDecision {
        reject("UNKNOWN_CLAIM", "no claim \(claimID) for member \(memberID)")
    }

    private func illegal(_ claim: ClaimRecord) -> DomainDecision {
        reject("ILLEGAL_TRANSITION", "claim \(claim.id) is \(claim.status.rawValue)")
    }

    private func reject(_ code: String, _ detail: String) -> DomainDecision {
        .rejected(reasonCode: code, detail: detail, notices: [])
    }
}
