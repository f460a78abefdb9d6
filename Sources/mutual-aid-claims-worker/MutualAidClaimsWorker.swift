import ArgumentParser
import MutualAidClaims
import WorkerRuntime

/// The mutual-aid claims worker: consumes `welfare.mutual-aid-claims`.
@main
struct MutualAidClaimsWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mutual-aid-claims-worker",
        abstract: "Move community workers' mutual-aid claims through their lifecycle from welfare.mutual-aid-claims.")

    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await WorkerLauncher.run(MutualAidClaimsDomain.self, options: options)
    }
}
