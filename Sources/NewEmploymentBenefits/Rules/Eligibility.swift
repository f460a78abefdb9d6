/// The order in which an application is decided: denials first, then the quota, then a grant.
public enum Eligibility {
    /// What the rules decided for one application.
    public enum Decision: Equatable, Sendable {
        case denied(reasonCode: String)
        case waitlisted
        case granted
    }

    public static func decide(occupation: String, benefit: BenefitCatalogue.Benefit, activeDays: Int, usedThisYear: Int,
                              seatsTaken: Int) -> Decision {
        if let occupations = benefit.occupations, !occupations.contains(occupation) { return .denied(reasonCode: "OCCUPATION_NOT_ELIGIBLE") }
        if activeDays < benefit.minActiveDays { return .denied(reasonCode: "INSUFFICIENT_ACTIVITY") }
        if usedThisYear >= benefit.yearlyLimit { return .denied(reasonCode: "YEARLY_LIMIT_REACHED") }
        if let quota = benefit.yearlyQuota, seatsTaken >= quota { return .waitlisted }
        return .granted
    }
}
