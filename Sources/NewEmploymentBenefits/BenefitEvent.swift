import WorkerRuntime

/// A decoded new-employment benefits event.
public enum BenefitEvent: Sendable {
    case registered(workerID: String, name: String, identityNumber: String, occupation: String, platforms: [String], district: String)
    case activityReported(workerID: String, platform: String, day: LocalDate, orders: Int64, onlineMinutes: Int64)
    case applied(applicationID: String, workerID: String, benefitCode: String)
    case voucherRedeemed(redemptionID: String, workerID: String, voucherCode: String, siteID: String)
    case cancelled(applicationID: String, workerID: String, reason: String)

    public static let types: Set<String> = [
        "newemployment.worker.registered.v1", "newemployment.activity.reported.v1", "newemployment.benefit.applied.v1",
        "newemployment.voucher.redeemed.v1", "newemployment.benefit.cancelled.v1",
    ]

    public static func decode(type: String, data: DataReader) throws(DataError) -> BenefitEvent {
        switch type {
        case "newemployment.worker.registered.v1":
            let identity = try data.residentIdentityNumber("id_number")
            _ = try data.mobileNumber("phone")  // checked, never stored
            return .registered(
                workerID: try data.identifier("worker_id"), name: try data.string("name", length: 1...50), identityNumber: identity.number,
                occupation: try data.oneOf("occupation", BenefitCatalogue.occupations),
                platforms: try data.stringList("platforms") { (name, path) throws(DataError) in
                    guard (1...50).contains(name.unicodeScalars.count) else { throw DataError(path: path, problem: "must be 1–50 characters") }
                },
                district: try data.string("district", length: 1...50))
        case "newemployment.activity.reported.v1":
            return .activityReported(
                workerID: try data.identifier("worker_id"), platform: try data.string("platform", length: 1...50), day: try data.date("day"),
                orders: try data.integer("orders", in: 0...100_000), onlineMinutes: try data.integer("online_minutes", in: 0...1440))
        case "newemployment.benefit.applied.v1":
            return .applied(applicationID: try data.identifier("application_id"), workerID: try data.identifier("worker_id"),
                            benefitCode: try data.identifier("benefit_code"))
        case "newemployment.voucher.redeemed.v1":
            return .voucherRedeemed(redemptionID: try data.identifier("redemption_id"), workerID: try data.identifier("worker_id"),
                                    voucherCode: try data.string("voucher_code", length: 1...64), siteID: try data.identifier("site_id"))
        default:
            return .cancelled(applicationID: try data.identifier("application_id"), workerID: try data.identifier("worker_id"),
                              reason: try data.string("reason", length: 1...500))
        }
    }
}
