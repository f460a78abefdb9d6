import WorkerRuntime

/// The volunteer-hours rules' settings (worker config `domain.*`, with the contract's defaults).
public struct VolunteerSettings: Sendable {
    /// Star thresholds in hours, ascending: 1★ at the first, 2★ at the second, …
    public var starThresholdsHours: [Int] = [100, 300, 600, 1000, 1500]
    /// A record is late when more than this many working days passed after its service date.
    public var lateRecordWorkingDays = 10
    public var minimumAge = 14
    /// Below this age a volunteer needs `guardian_consent: true`.
    public var guardianConsentBelowAge = 18
    /// The secret certificate verify codes are derived with.
    public var certificateSecret: String

    public init(certificateSecret: String) {
        self.certificateSecret = certificateSecret
    }

    static let keys = [
        ConfigurationKey("domain.star_thresholds_hours", default: "100,300,600,1000,1500", "Cumulative hours for 1★ … 5★"),
        ConfigurationKey("domain.late_record_working_days", default: "10", "Working days after the service date before a record counts as late"),
        ConfigurationKey("domain.minimum_age", default: "14", "Youngest age at which a volunteer may register"),
        ConfigurationKey("domain.guardian_consent_below_age", default: "18", "Below this age registration needs guardian_consent: true"),
        ConfigurationKey("domain.certificate_secret", default: nil, "Secret for certificate verify codes (required; keep it out of the config file, use WELFARE_DOMAIN_CERTIFICATE_SECRET)"),
    ]

    init(configuration: WorkerConfiguration) throws {
        certificateSecret = try configuration.string("domain.certificate_secret")
        guard certificateSecret.utf8.count >= 16 else {
            throw ConfigurationError("domain.certificate_secret must be at least 16 characters")
        }
        starThresholdsHours = try configuration.integerList("domain.star_thresholds_hours")
        guard !starThresholdsHours.isEmpty, starThresholdsHours.first ?? 0 > 0, zip(starThresholdsHours, starThresholdsHours.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw ConfigurationError("domain.star_thresholds_hours must be positive and strictly increasing, not \(starThresholdsHours)")
        }
        lateRecordWorkingDays = try configuration.integer("domain.late_record_working_days", in: 0...365)
        minimumAge = try configuration.integer("domain.minimum_age", in: 0...120)
        guardianConsentBelowAge = try configuration.integer("domain.guardian_consent_below_age", in: 0...120)
    }
}
