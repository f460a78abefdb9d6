import ArgumentParser

/// The command-line flags every worker executable takes.
public struct WorkerOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: "The worker's YAML config file. Every key can also be set by environment variable.")
    public var config: String?

    @Option(name: .long, help: "Kafka bootstrap servers HOST:PORT[,…] (overrides the config). Without any, an embedded broker starts in this process.")
    public var bootstrapServers: String?

    @Option(name: .long, help: "Path of the worker's SQLite store (overrides store.path).")
    public var store: String?

    public init() {}
}
