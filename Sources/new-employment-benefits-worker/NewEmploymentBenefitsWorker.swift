import ArgumentParser
import NewEmploymentBenefits
import WorkerRuntime

/// The new-employment benefits worker: consumes `welfare.new-employment-benefits`.
@main
struct NewEmploymentBenefitsWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-employment-benefits-worker",
        abstract: "Decide and redeem new-employment care benefits from welfare.new-employment-benefits.")

    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await WorkerLauncher.run(NewEmploymentBenefitsDomain.self, options: options)
    }
}
