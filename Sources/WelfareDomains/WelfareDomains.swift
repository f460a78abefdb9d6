import MutualAidClaims
import NewEmploymentBenefits
import SampleStreams
import TallyDomain
import VolunteerHours
import WorkerRuntime

/// The one list of domains. Adding a domain: its module, its entry in `topics/catalogue.yaml`, its thin
/// executable, and one entry here (README, "Adding a domain").
public enum WelfareDomains {
    /// The department's domains, in the order tools list them.
    public static let all: [DomainEntry] = [volunteerHours, mutualAidClaims, newEmploymentBenefits]

    public static let volunteerHours = DomainEntry(
        worker: VolunteerHoursDomain.self, eventTypes: VolunteerEvent.types, executable: "volunteer-hours-worker",
        developmentConfig: "configs/volunteer-hours.dev.yaml",
        developmentSecrets: ["WELFARE_DOMAIN_CERTIFICATE_SECRET": "dev-only-certificate-secret-change-me"]
    ) { count, seed, faultEvery, _ in
        VolunteerHoursStream(volunteers: max(20, count / 8), seed: seed, faultEvery: faultEvery).messages(count: count)
    }

    public static let mutualAidClaims = DomainEntry(
        worker: MutualAidClaimsDomain.self, eventTypes: ClaimEvent.types, executable: "mutual-aid-claims-worker",
        developmentConfig: "configs/mutual-aid-claims.dev.yaml"
    ) { count, seed, faultEvery, _ in
        MutualAidClaimsStream(members: max(20, count / 8), seed: seed, faultEvery: faultEvery).messages(count: count)
    }

    public static let newEmploymentBenefits = DomainEntry(
        worker: NewEmploymentBenefitsDomain.self, eventTypes: BenefitEvent.types, executable: "new-employment-benefits-worker",
        developmentConfig: "configs/new-employment-benefits.dev.yaml",
        developmentSecrets: ["WELFARE_DOMAIN_VOUCHER_SECRET": "dev-only-voucher-secret-change-me"]
    ) { count, seed, faultEvery, environment in
        NewEmploymentBenefitsStream(workers: max(20, count / 40), seed: seed,
                                    voucherSecret: environment["WELFARE_DOMAIN_VOUCHER_SECRET"] ?? "dev-only-voucher-secret-change-me",
                                    faultEvery: faultEvery).messages(count: count)
    }

    /// The runtime's test domain, built as any domain is but kept out of `all`: it has no contract in
    /// `topics/` and no place in a deployment.
    public static let tally = DomainEntry(
        worker: TallyDomain.self, eventTypes: TallyDomain().eventTypes, executable: "welfare-tally-worker", developmentConfig: nil
    ) { count, seed, faultEvery, _ in
        TallyStream(tallies: max(10, count / 20), seed: seed, faultEvery: faultEvery).messages(count: count)
    }

    /// The entry of a domain by its worker name.
    public static func named(_ name: String) -> DomainEntry? {
        (all + [tally]).first { $0.name == name }
    }
}
