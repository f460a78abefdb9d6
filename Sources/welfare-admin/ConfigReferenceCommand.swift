import ArgumentParser
import WelfareDomains
import WorkerRuntime

/// `welfare-admin config-reference`: prints `configs/REFERENCE.md` from the keys the workers know.
struct ConfigReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config-reference",
        abstract: "Print the configuration reference (every key, default, environment variable) as Markdown.")

    /// The workers the reference covers, in the order it lists them.
    static var workers: [any WorkerDomain.Type] { WelfareDomains.all.map(\.worker) }

    func run() {
        print(ConfigurationReference.render(Self.workers), terminator: "")
    }
}
