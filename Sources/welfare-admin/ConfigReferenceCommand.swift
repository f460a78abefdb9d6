import ArgumentParser
import MutualAidClaims
import NewEmploymentBenefits
import VolunteerHours
import WorkerRuntime

/// `welfare-admin config-reference`: prints `configs/REFERENCE.md` from the keys the workers know.
struct ConfigReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-reference",
        abstract: "Print the configuration reference (every key, default, environment variable) as Markdown.")

    /// The workers the reference covers, in the order it lists them.
    static let workers: [any WorkerDomain.Type] = [VolunteerHoursDomain.self, MutualAidClaimsDomain.self, NewEmploymentBenefitsDomain.self]

    func run() {
        print(ConfigurationReference.render(Self.workers), terminator: "")
    }
}
