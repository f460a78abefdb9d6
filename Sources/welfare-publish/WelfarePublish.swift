import ArgumentParser
import Foundation
import Kafka
import Logging
import SampleStreams
import WelfareDomains
import WelfareOperations
import WorkerRuntime

/// Publishes events to a topic, from an NDJSON file or a built-in generator of realistic streams: how
/// upstream teams try their integration against a worker.
@main
struct WelfarePublish: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "welfare-publish",
        abstract: "Publish events to a topic from an NDJSON file or a seeded generator.",
        discussion: """
            NDJSON: one object per line, {"key": "...", "value": {...}}; the value is sent as its JSON text (a string \
            value is sent as-is). Generators: \(WelfareDomains.all.map(\.name).joined(separator: ", ")) (seeded, with \
            a few rejections, repeats and malformed messages unless --clean). --mode binary sends each event in the \
            CloudEvents binary content mode (attributes as ce_* headers, data as the value) instead of structured JSON. Exit status 0 when every message was acknowledged, non-zero otherwise.
            """)

    /// A domain's generator, by the domain's worker name (`WelfareDomains`).
    struct Generator: ExpressibleByArgument {
        let entry: DomainEntry

        init?(argument: String) {
            guard let entry = WelfareDomains.named(argument) else { return nil }
            self.entry = entry
        }

        static var allValueStrings: [String] { WelfareDomains.all.map(\.name) }
    }

    /// The CloudEvents Kafka binding's content modes.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case structured
        case binary
    }

    @Option(help: "Kafka bootstrap servers HOST:PORT[,…].") var bootstrapServers: String
    @Option(help: "The topic to publish to.") var topic: String
    @Option(help: "An NDJSON file of {key, value} lines.") var file: String?
    @Option(help: "A built-in generator instead of a file.") var generator: Generator?
    @Option(help: "Messages to generate.") var count = 1_000
    @Option(help: "The generator's seed (the same seed gives the same stream).") var seed: UInt64 = 1
    @Option(help: "At most this many messages per second (0: as fast as possible).") var rate = 0
    @Option(help: "The voucher secret of the benefits worker being fed (for redeemable codes).") var voucherSecret = "dev-only-voucher-secret-change-me"
    @Option(help: "CloudEvents content mode: structured (the value is the event) or binary (ce_* headers, the value is data).")
    var mode: Mode = .structured
    @Flag(help: "Generate no faults (repeats, id conflicts, malformed messages).") var clean = false
    @Option(name: .customLong("kafka"), help: "Extra librdkafka property KEY=VALUE (repeatable), e.g. security.protocol=SASL_SSL.")
    var kafkaProperties: [String] = []

    func validate() throws {
        guard (file == nil) != (generator == nil) else { throw ValidationError("give either --file or --generator") }
        guard count > 0 else { throw ValidationError("--count must be positive") }
        guard rate >= 0 else { throw ValidationError("--rate must not be negative") }
        if let bad = KafkaPropertyArguments.malformed(kafkaProperties) { throw ValidationError("--kafka takes KEY=VALUE, not \(bad)") }
    }

    func run() throws {
        let given = try file.map { try PublishableMessage.readNDJSON(path: $0) } ?? generate()
        let messages = mode == .binary ? given.map { $0.inBinaryMode() } : given
        let configuration = KafkaPropertyArguments.configuration(bootstrapServers: bootstrapServers, properties: kafkaProperties)
        let producer = try Producer(configuration: configuration, logger: Logger(label: "welfare-publish", factory: { _ in SwiftLogNoOpLogHandler() }))
        let start = ContinuousClock.now
        for (index, message) in messages.enumerated() {
            if rate > 0 {
                let due = start + .milliseconds(index * 1000 / rate)
                let wait = ContinuousClock.now.duration(to: due)
                if wait > .zero { Thread.sleep(forTimeInterval: Double(wait.components.attoseconds) / 1e18 + Double(wait.components.seconds)) }
            }
            while true {
                do {
                    try producer.send(ProducerRecord(topic: topic, key: message.key.map { Array($0.utf8) }, value: message.value, headers: message.headers))
                    break
                } catch {
                    guard error.isRetriable else { throw error }
                    usleep(1_000)
                }
            }
        }
        guard producer.flush(timeout: .seconds(60)) else { throw PublishError("not every message was acknowledged within 60 s") }
        producer.close()
        let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
        print("published \(messages.count) messages to \(topic) in \(String(format: "%.2f", seconds)) s")
    }

    private func generate() -> [PublishableMessage] {
        let faults = clean ? 0 : 50
        let entry = generator?.entry ?? WelfareDomains.volunteerHours
        let stream = entry.sample(count, seed, faults, entry.developmentSecrets.merging(["WELFARE_DOMAIN_VOUCHER_SECRET": voucherSecret]) { $1 })
        return stream.prefix(count).map { PublishableMessage(key: $0.key, value: $0.value) }
    }
}

/// A problem publishing; the message says what and where.
struct PublishError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
