import WorkerRuntime

/// The benefits rules' settings (worker config `domain.*`).
public struct BenefitSettings: Sendable {
    public var catalogue: BenefitCatalogue
    /// The secret voucher codes are derived with.
    public var voucherSecret: String
    /// An active day: at least this many orders …
    public var activeDayMinOrders = 1
    /// … and this many online minutes, summed over platforms.
    public var activeDayMinOnlineMinutes = 240
    /// Active days are counted over this many days before the application's date.
    public var activityWindowDays = 30

    public init(catalogue: BenefitCatalogue = .contract, voucherSecret: String) {
        self.catalogue = catalogue
        self.voucherSecret = voucherSecret
    }

    static let keys = [
        ConfigurationKey("domain.catalogue_file", default: nil, "The benefit catalogue YAML (versioned); without it, the contract's table"),
        ConfigurationKey("domain.voucher_secret", default: nil, "Secret for voucher codes (required; use WELFARE_DOMAIN_VOUCHER_SECRET)"),
        ConfigurationKey("domain.active_day_min_orders", default: "1", "Orders a day needs to count as active"),
        ConfigurationKey("domain.active_day_min_online_minutes", default: "240", "Online minutes a day needs to count as active"),
        ConfigurationKey("domain.activity_window_days", default: "30", "Days before the application counted for active days"),
    ]

    init(configuration: WorkerConfiguration) throws {
        voucherSecret = try configuration.string("domain.voucher_secret")
        guard voucherSecret.utf8.count >= 16 else { throw ConfigurationError("domain.voucher_secret must be at least 16 characters") }
        catalogue = try configuration.optionalString("domain.catalogue_file").map(BenefitCatalogue.load(path:)) ?? .contract
        activeDayMinOrders = try configuration.integer("domain.active_day_min_orders", in: 0...10_000)
        activeDayMinOnlineMinutes = try configuration.integer("domain.active_day_min_online_minutes", in: 0...1440)
        activityWindowDays = try configuration.integer("domain.activity_window_days", in: 1...366)
    }
}
