import ArgumentParser
import Foundation
import GRDB
import Kafka
import SampleStreams
import WelfareDomains
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

    /// A domain by its worker name (`WelfareDomains`).
    struct Domain: ExpressibleByArgument {
        let entry: DomainEntry

        init?(argument: String) {
            guard let entry = WelfareDomains.named(argument) else { return nil }
            self.entry = entry
        }

        static var allValueStrings: [String] { WelfareDomains.all.map(\.name) }
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
        for entry in domain.map({ [$0.entry] }) ?? WelfareDomains.all {
            let report = try fuzz(entry.makeHandler(), entry: entry)
            report.print(domain: entry.name)
            failed = failed || !report.oneOutcomeEach
        }
        if failed { throw ExitCode(1) }
    }

    /// One domain's run: seeds from its sample stream (about 3,000 events over a few hundred entities).
    private func fuzz<Handler: DomainHandler>(_ handler: Handler, entry: DomainEntry) throws -> FuzzReport {
        try FuzzRun(domain: handler, topic: entry.inputTopic, seeds: entry.sampleMessages(count: 3_000, seed: seed, faultEvery: 0))
            .run(mutations: mutations, seed: seed, batch: batch)
    }
}
