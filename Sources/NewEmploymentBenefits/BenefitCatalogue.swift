import Foundation
import WorkerRuntime
import Yams

/// The benefit catalogue (`configs/new-employment-benefits.catalogue.yaml`): per benefit its yearly limit
/// per worker, yearly quota over all workers, minimum active days, eligible occupations and voucher
/// validity. Versioned: every decision records the version it used.
public struct BenefitCatalogue: Sendable, Equatable, Decodable {
    /// One benefit of the catalogue.
    public struct Benefit: Sendable, Equatable, Decodable {
        public let code: String
        public let yearlyLimit: Int
        /// nil: no quota.
        public let yearlyQuota: Int?
        public let minActiveDays: Int
        /// nil: every occupation.
        public let occupations: [String]?
        public let voucherValidDays: Int

        enum CodingKeys: String, CodingKey {
            case code, occupations
            case yearlyLimit = "yearly_limit"
            case yearlyQuota = "yearly_quota"
            case minActiveDays = "min_active_days"
            case voucherValidDays = "voucher_valid_days"
        }

        public init(code: String, yearlyLimit: Int, yearlyQuota: Int?, minActiveDays: Int, occupations: [String]?, voucherValidDays: Int) {
            self.code = code
            self.yearlyLimit = yearlyLimit
            self.yearlyQuota = yearlyQuota
            self.minActiveDays = minActiveDays
            self.occupations = occupations
            self.voucherValidDays = voucherValidDays
        }
    }

    public let version: String
    public let benefits: [Benefit]

    public func benefit(_ code: String) -> Benefit? { benefits.first { $0.code == code } }

    /// The occupations of the contract.
    public static let occupations = ["delivery_rider", "courier", "ride_hailing_driver", "truck_driver", "online_host"]

    /// The contract's table.
    public static let contract = BenefitCatalogue(version: "contract-2026", benefits: [
        Benefit(code: "HEALTH_CHECK", yearlyLimit: 1, yearlyQuota: 5_000, minActiveDays: 10, occupations: nil, voucherValidDays: 90),
        Benefit(code: "MEAL_DISCOUNT", yearlyLimit: 12, yearlyQuota: 100_000, minActiveDays: 10, occupations: nil, voucherValidDays: 30),
        Benefit(code: "CHILD_HOLIDAY_CARE", yearlyLimit: 1, yearlyQuota: 2_000, minActiveDays: 15, occupations: nil, voucherValidDays: 60),
        Benefit(code: "SKILLS_TRAINING", yearlyLimit: 2, yearlyQuota: 3_000, minActiveDays: 5, occupations: nil, voucherValidDays: 180),
        Benefit(code: "CHARGING_CARD", yearlyLimit: 12, yearlyQuota: 50_000, minActiveDays: 10, occupations: ["delivery_rider", "courier"], voucherValidDays: 30),
        Benefit(code: "LEGAL_AID", yearlyLimit: 3, yearlyQuota: nil, minActiveDays: 0, occupations: nil, voucherValidDays: 90),
        Benefit(code: "REST_STATION_CARD", yearlyLimit: 1, yearlyQuota: nil, minActiveDays: 0, occupations: nil, voucherValidDays: 365),
        Benefit(code: "HARDSHIP_GRANT", yearlyLimit: 1, yearlyQuota: 140, minActiveDays: 20, occupations: nil, voucherValidDays: 30),
    ])

    public init(version: String, benefits: [Benefit]) {
        self.version = version
        self.benefits = benefits
    }

    /// Reads and validates a catalogue file; a problem names the entry.
    public static func load(path: String) throws -> BenefitCatalogue {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError("cannot read the benefit catalogue \(path): \(error.localizedDescription)")
        }
        let catalogue: BenefitCatalogue
        do { catalogue = try YAMLDecoder().decode(BenefitCatalogue.self, from: text) } catch {
            throw ConfigurationError("benefit catalogue \(path): \(error)")
        }
        try catalogue.validate(origin: path)
        return catalogue
    }

    public func validate(origin: String) throws {
        guard !version.isEmpty else { throw ConfigurationError("\(origin): version is required") }
        var seen: Set<String> = []
        for benefit in benefits {
            let name = "\(origin): benefits.\(benefit.code)"
            guard FieldFormats.isIdentifier(benefit.code), seen.insert(benefit.code).inserted else { throw ConfigurationError("\(name): code is invalid or repeated") }
            guard benefit.yearlyLimit >= 1 else { throw ConfigurationError("\(name).yearly_limit must be at least 1") }
            if let quota = benefit.yearlyQuota, quota < 1 { throw ConfigurationError("\(name).yearly_quota must be at least 1 (leave it out for no quota)") }
            guard (0...30).contains(benefit.minActiveDays) else { throw ConfigurationError("\(name).min_active_days must be 0…30") }
            guard benefit.voucherValidDays >= 1 else { throw ConfigurationError("\(name).voucher_valid_days must be at least 1") }
            for occupation in benefit.occupations ?? [] where !Self.occupations.contains(occupation) {
                throw ConfigurationError("\(name).occupations: unknown occupation \(occupation)")
            }
        }
        guard !benefits.isEmpty else { throw ConfigurationError("\(origin): the catalogue lists no benefits") }
    }
}
