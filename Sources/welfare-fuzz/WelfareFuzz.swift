import ArgumentParser
import Foundation
import GRDB
import Kafka
import MutualAidClaims
import NewEmploymentBenefits
import SampleStreams
import VolunteerHours
import WorkerRuntime

/// Mutates valid events of every type and runs them through each domain's checks and handler in this
/// process, against a real SQLite store: no crash, and exactly one outcome per message. A seeded mutator
/// (the same seed gives the same run); the counts by outcome, reason and mutation are printed.
@main
struct WelfareFuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "welfare-fuzz",
        abstract: "Run mutated events through each domain's checks and handler against a real store; report outcomes.",
        discussion: "Exit status 0 when every message got exactly one outcome; a crash is a finding too.")

    enum Domain: String, ExpressibleByArgument, CaseIterable {
        case volunteerHours = "volunteer-hours"
        case mutualAidClaims = "mutual-aid-claims"
        case newEmploymentBenefits = "new-employment-benefits"
    }

    @Option(help: "One domain, or every domain when absent.") var domain: Domain?
    @Option(help: "Mutated messages per domain.") var mutations = 1_000_000
    @Option(help: "The mutator's seed.") var seed: UInt64 = 2026
    @Option(help: "Messages per transaction.") var batch = 1_000

    func validate() throws {
        guard mutations > 0 else { throw ValidationError("--mutations must be positive") }
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch must be 1–10,000") }
    }

    func run() throws {
        SQLiteStore.tuneSQLiteForThisProcess()
        var failed = false
        for chosen in domain.map({ [$0] }) ?? Domain.allCases {
            let secret = "fuzz-voucher-secret-0123456789"
            let report: FuzzReport = switch chosen {
            case .volunteerHours:
                try FuzzRun(domain: VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "fuzz-certificate-secret-0123")),
                            topic: "welfare.volunteer-hours", seeds: VolunteerHoursStream(volunteers: 300, seed: seed, faultEvery: 0).messages(count: 3_000))
                    .run(mutations: mutations, seed: seed, batch: batch)
            case .mutualAidClaims:
                try FuzzRun(domain: MutualAidClaimsDomain(plan: .contract), topic: "welfare.mutual-aid-claims",
                            seeds: MutualAidClaimsStream(members: 300, seed: seed, faultEvery: 0).messages(count: 3_000))
                    .run(mutations: mutations, seed: seed, batch: batch)
            case .newEmploymentBenefits:
                try FuzzRun(domain: NewEmploymentBenefitsDomain(settings: BenefitSettings(voucherSecret: secret)), topic: "welfare.new-employment-benefits",
                            seeds: NewEmploymentBenefitsStream(workers: 300, seed: seed, voucherSecret: secret, faultEvery: 0).messages(count: 3_000))
                    .run(mutations: mutations, seed: seed, batch: batch)
            }
            report.print(domain: chosen.rawValue)
            failed = failed || !report.oneOutcomeEach
        }
        if failed { throw ExitCode(1) }
    }
}
