/// The payable amount: the benefit lowered by each cap's remaining room in turn (claim, then year, then
/// lifetime); `cappedBy` names the last cap that lowered it.
public enum CapCalculator {
    public struct Result: Equatable, Sendable {
        public let payable: Int64
        public let cappedBy: String?

        public init(payable: Int64, cappedBy: String?) {
            self.payable = payable
            self.cappedBy = cappedBy
        }
    }

    public static func payable(benefit: Int64, caps: PlanSettings.Caps, usedThisYear: Int64, usedLifetime: Int64) -> Result {
        var amount = benefit
        var cappedBy: String?
        for (name, room) in [("claim", caps.claim), ("year", caps.year.map { $0 - usedThisYear }), ("lifetime", caps.lifetime.map { $0 - usedLifetime })] {
            guard let room else { continue }
            let allowed = max(0, room)
            if amount > allowed {
                amount = allowed
                cappedBy = name
            }
        }
        return Result(payable: amount, cappedBy: cappedBy)
    }

    /// Whether a cap already has no room (the claim cannot be paid anything).
    public static func exhausted(caps: PlanSettings.Caps, usedThisYear: Int64, usedLifetime: Int64) -> Bool {
        (caps.year.map { $0 - usedThisYear <= 0 } ?? false) || (caps.lifetime.map { $0 - usedLifetime <= 0 } ?? false)
    }
}
