import ArgumentParser
import TallyDomain
import WorkerRuntime

/// The runtime's test worker: the tiny tally domain on topic `welfare.tally`.
@main
struct TallyWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "welfare-tally-worker", abstract: "Run the tally test worker (exercises the worker runtime without a real domain).")

    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await WorkerLauncher.run(TallyDomain.self, options: options)
    }
}
