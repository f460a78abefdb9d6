import ArgumentParser
import Foundation
import Kafka
import TopicCatalogue

/// Runs the embedded Kafka-protocol broker on its own, for several workers at once.
@main
struct WelfareBroker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "welfare-broker",
        abstract: "Run the embedded Kafka broker (librdkafka's mock cluster) with every topic of the catalogue.",
        discussion: """
            Prints the bootstrap address as the first line of standard output, then runs until SIGTERM or \
            SIGINT. Point workers at it with --bootstrap-servers. Messages live in memory only (about 5 MB \
            per partition) and are gone when it stops.
            """)

    @Option(help: "The topic catalogue to create topics from (default: topics/catalogue.yaml of the checkout this executable was built in, or of the working directory).")
    var catalogue: String?

    @Option(help: "How many brokers to start.")
    var brokers = 1

    @Option(help: "Also write the bootstrap address to this file.")
    var addressFile: String?

    /// `topics/catalogue.yaml` in the working directory, else in the nearest folder above this executable
    /// that has one (a build's products live in `<checkout>/.build/<configuration>/`), so that the default
    /// does not depend on where the broker is started from.
    static func defaultCatalogue() -> String? {
        let relative = "topics/catalogue.yaml"
        if FileManager.default.fileExists(atPath: relative) { return relative }
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(relative).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    func validate() throws {
        guard (1...9).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 9") }
    }

    func run() throws {
        guard let path = catalogue ?? Self.defaultCatalogue() else {
            throw ValidationError("no topics/catalogue.yaml beside this executable or in the working directory: give --catalogue")
        }
        let topics = try TopicCatalogue.load(from: path)
        let broker = try EmbeddedBroker(brokerCount: brokers)
        for spec in topics.specifications(replicationFactor: 1) {
            try broker.createTopic(spec.name, partitions: spec.partitions)
        }
        if let addressFile {
            try broker.writeAddress(to: addressFile)
        }
        FileHandle.standardOutput.write(Data((broker.bootstrapServers + "\n").utf8))
        FileHandle.standardError.write(Data("welfare-broker: \(topics.topics.count) topics on \(broker.bootstrapServers)\n".utf8))
        let stop = DispatchSemaphore(value: 0)
        var sources: [DispatchSourceSignal] = []
        for signalNumber in [SIGTERM, SIGINT] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            sources.append(source)
        }
        stop.wait()
        broker.shutdown()
        if let addressFile { try? FileManager.default.removeItem(atPath: addressFile) }
        FileHandle.standardError.write(Data("welfare-broker: stopped\n".utf8))
        _ = sources
    }
}
