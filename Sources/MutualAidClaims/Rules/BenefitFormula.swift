/// How a risk's benefit is computed from a claim's figures (integer fen throughout).
public enum BenefitFormula: Sendable, Equatable {
    /// A fixed amount.
    case fixed(Int64)
    /// `perDay × (hospital_days − deductibleDays)`, not below 0.
    case perHospitalDay(perDay: Int64, deductibleDays: Int)
    /// `percent` % of `self_paid_fen`, rounded down.
    case percentOfSelfPaid(Int)
    /// `base × (11 − disability_grade) ÷ 10`, rounded down.
    case disabilityGrade(base: Int64)

    /// The benefit for a claim's figures; a missing figure counts as 0.
    public func benefit(hospitalDays: Int64?, selfPaidFen: Int64?, disabilityGrade: Int64?) -> Int64 {
        switch self {
        case .fixed(let amount): amount
        case .perHospitalDay(let perDay, let deductible): max(0, perDay * ((hospitalDays ?? 0) - Int64(deductible)))
        case .percentOfSelfPaid(let percent): (selfPaidFen ?? 0) * Int64(percent) / 100
        case .disabilityGrade(let base): disabilityGrade.map { base * (11 - $0) / 10 } ?? 0
        }
    }
}
