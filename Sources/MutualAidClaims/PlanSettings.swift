import Foundation
import WorkerRuntime
import Yams

/// The mutual-aid plan (`configs/mutual-aid-plan.yaml`): contribution, waiting period and the risk table.
/// Versioned: every decision records the version it used, so a change never alters a decided claim.
public struct PlanSettings: Sendable, Equatable {
    /// One row of the risk table.
    public struct Risk: Sendable, Equatable {
        public let code: String
        /// Whether the waiting period of a first enrolment applies (illnesses).
        public let waitingPeriod: Bool
        public let formula: BenefitFormula
        public let caps: Caps
        /// Required document types, in the order they are asked for.
        public let documents: [String]

        public init(code: String, waitingPeriod: Bool, formula: BenefitFormula, caps: Caps, documents: [String]) {
            self.code = code
            self.waitingPeriod = waitingPeriod
            self.formula = formula
            self.caps = caps
            self.documents = documents
        }
    }

    /// Caps in fen: per claim, per plan year (of the incident), per lifetime (nil: none).
    public struct Caps: Sendable, Equatable {
        public let claim: Int64?
        public let year: Int64?
        public let lifetime: Int64?

        public init(claim: Int64? = nil, year: Int64? = nil, lifetime: Int64? = nil) {
            self.claim = claim
            self.year = year
            self.lifetime = lifetime
        }
    }

    public let version: String
    public let contributionFen: Int64
    public let waitingPeriodDays: Int
    public let risks: [Risk]

    public func risk(_ code: String) -> Risk? { risks.first { $0.code == code } }

    public init(version: String, contributionFen: Int64, waitingPeriodDays: Int, risks: [Risk]) {
        self.version = version
        self.contributionFen = contributionFen
        self.waitingPeriodDays = waitingPeriodDays
        self.risks = risks
    }

    /// The contract's plan.
    public static let contract = PlanSettings(version: "contract-2026", contributionFen: 10_000, waitingPeriodDays: 90, risks: [
        Risk(code: "CRITICAL_ILLNESS", waitingPeriod: true, formula: .fixed(3_000_000), caps: Caps(lifetime: 3_000_000),
             documents: ["id_card", "diagnosis", "pathology_report"]),
        Risk(code: "MINOR_ILLNESS", waitingPeriod: true, formula: .fixed(1_000_000), caps: Caps(year: 1_000_000), documents: ["id_card", "diagnosis"]),
        Risk(code: "HOSPITALIZATION", waitingPeriod: true, formula: .perHospitalDay(perDay: 10_000, deductibleDays: 3), caps: Caps(year: 900_000),
             documents: ["id_card", "discharge_summary", "invoice"]),
        Risk(code: "MEDICAL_HARDSHIP", waitingPeriod: true, formula: .percentOfSelfPaid(50), caps: Caps(claim: 500_000, year: 1_000_000),
             documents: ["id_card", "invoice", "settlement_sheet"]),
        Risk(code: "ACCIDENT_MEDICAL", waitingPeriod: false, formula: .percentOfSelfPaid(100), caps: Caps(year: 1_000_000),
             documents: ["id_card", "accident_proof", "invoice"]),
        Risk(code: "ACCIDENT_DISABILITY", waitingPeriod: false, formula: .disabilityGrade(base: 10_000_000), caps: Caps(lifetime: 10_000_000),
             documents: ["id_card", "accident_proof", "disability_assessment"]),
        Risk(code: "ACCIDENT_DEATH", waitingPeriod: false, formula: .fixed(10_000_000), caps: Caps(lifetime: 10_000_000),
             documents: ["death_certificate", "accident_proof", "heir_proof"]),
        Risk(code: "ILLNESS_DEATH", waitingPeriod: true, formula: .fixed(5_000_000), caps: Caps(lifetime: 5_000_000),
             documents: ["death_certificate", "heir_proof"]),
        Risk(code: "HARDSHIP_CONDOLENCE", waitingPeriod: false, formula: .fixed(200_000), caps: Caps(year: 200_000),
             documents: ["id_card", "hardship_statement"]),
    ])

    /// Reads and validates a plan file; a problem names the entry.
    public static func load(path: String) throws -> PlanSettings {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError("cannot read the plan \(path): \(error.localizedDescription)")
        }
        guard case .mapping(let root)? = try Yams.compose(yaml: text) else { throw ConfigurationError("\(path): not a YAML mapping") }
        func value(_ mapping: Node.Mapping, _ key: String) -> Node? { mapping[Node(key)] }
        func int(_ mapping: Node.Mapping, _ key: String, _ name: String) throws -> Int64 {
            guard let text = value(mapping, key)?.string, let number = Int64(text.replacingOccurrences(of: "_", with: "")) else {
                throw ConfigurationError("\(path): \(name).\(key) must be a whole number")
            }
            return number
        }
        guard let version = value(root, "version")?.string, !version.isEmpty else { throw ConfigurationError("\(path): version is required") }
        guard case .sequence(let riskNodes)? = value(root, "risks") else { throw ConfigurationError("\(path): risks must be a list") }
        var risks: [Risk] = []
        for node in riskNodes {
            guard case .mapping(let entry) = node, let code = value(entry, "code")?.string else { throw ConfigurationError("\(path): every risk needs a code") }
            let name = "risks.\(code)"
            let formula: BenefitFormula
            switch value(entry, "formula")?.string {
            case "fixed": formula = .fixed(try int(entry, "amount_fen", name))
            case "per_hospital_day": formula = .perHospitalDay(perDay: try int(entry, "amount_fen", name), deductibleDays: Int(try int(entry, "deductible_days", name)))
            case "percent_of_self_paid": formula = .percentOfSelfPaid(Int(try int(entry, "percent", name)))
            case "disability_grade": formula = .disabilityGrade(base: try int(entry, "amount_fen", name))
            default: throw ConfigurationError("\(path): \(name).formula must be fixed, per_hospital_day, percent_of_self_paid or disability_grade")
            }
            let caps: Caps
            if case .mapping(let capNode)? = value(entry, "caps_fen") {
                caps = Caps(claim: value(capNode, "claim") == nil ? nil : try int(capNode, "claim", name + ".caps_fen"),
                            year: value(capNode, "year") == nil ? nil : try int(capNode, "year", name + ".caps_fen"),
                            lifetime: value(capNode, "lifetime") == nil ? nil : try int(capNode, "lifetime", name + ".caps_fen"))
            } else {
                caps = Caps()
            }
            guard case .sequence(let documentNodes)? = value(entry, "documents") else { throw ConfigurationError("\(path): \(name).documents must be a list") }
            risks.append(Risk(code: code, waitingPeriod: value(entry, "waiting_period")?.bool ?? false, formula: formula, caps: caps,
                              documents: documentNodes.compactMap(\.string)))
        }
        let plan = PlanSettings(version: version, contributionFen: try int(root, "contribution_fen", "plan"),
                                waitingPeriodDays: Int(try int(root, "waiting_period_days", "plan")), risks: risks)
        try plan.validate(origin: path)
        return plan
    }

    public func validate(origin: String) throws {
        guard contributionFen > 0 else { throw ConfigurationError("\(origin): contribution_fen must be positive") }
        guard (0...3650).contains(waitingPeriodDays) else { throw ConfigurationError("\(origin): waiting_period_days must be 0…3650") }
        guard !risks.isEmpty else { throw ConfigurationError("\(origin): the plan lists no risks") }
        var seen: Set<String> = []
        for risk in risks {
            let name = "\(origin): risks.\(risk.code)"
            guard FieldFormats.isIdentifier(risk.code), seen.insert(risk.code).inserted else { throw ConfigurationError("\(name): code is invalid or repeated") }
            for cap in [risk.caps.claim, risk.caps.year, risk.caps.lifetime].compactMap({ $0 }) where cap <= 0 {
                throw ConfigurationError("\(name).caps_fen must be positive")
            }
            guard !risk.documents.isEmpty, Set(risk.documents).count == risk.documents.count else {
                throw ConfigurationError("\(name).documents must list each required document once")
            }
            switch risk.formula {
            case .percentOfSelfPaid(let percent) where !(1...100).contains(percent): throw ConfigurationError("\(name).percent must be 1…100")
            case .fixed(let amount) where amount < 0: throw ConfigurationError("\(name).amount_fen must not be negative")
            default: break
            }
        }
    }
}
