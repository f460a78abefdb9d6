import SampleStreams
import WorkerRuntime

/// One domain as the tools know it: the worker type, its event types, its executable and development
/// configuration, and a generator of realistic sample streams. The demo, the publish tool, the
/// configuration reference, the benchmarks and the consistency tests take their domains from entries.
public struct DomainEntry: Sendable {
    /// The domain's worker type (name, input topic, configuration keys).
    public let worker: any WorkerDomain.Type
    /// The event types of the input topic, as the contract in `topics/` lists them.
    public let eventTypes: Set<String>
    /// The thin executable that runs the worker, e.g. `volunteer-hours-worker`.
    public let executable: String
    /// The development configuration, relative to the repository (nil: the built-in defaults).
    public let developmentConfig: String?
    /// Development-only secrets the worker needs, as environment variables (never for production).
    public let developmentSecrets: [String: String]
    /// Generates about `count` messages from `seed` (a fault every `faultEvery`, none for 0); the
    /// environment may carry the secrets the worker being fed uses (`developmentSecrets` by default).
    public let sample: @Sendable (_ count: Int, _ seed: UInt64, _ faultEvery: Int, _ environment: [String: String]) -> [SampleMessage]

    public init(worker: any WorkerDomain.Type, eventTypes: Set<String>, executable: String, developmentConfig: String?,
                developmentSecrets: [String: String] = [:],
                sample: @escaping @Sendable (_ count: Int, _ seed: UInt64, _ faultEvery: Int, _ environment: [String: String]) -> [SampleMessage]) {
        self.worker = worker
        self.eventTypes = eventTypes
        self.executable = executable
        self.developmentConfig = developmentConfig
        self.developmentSecrets = developmentSecrets
        self.sample = sample
    }

    /// The worker's name, e.g. `volunteer-hours`.
    public var name: String { worker.workerName }
    /// The topic the worker reads by default.
    public var inputTopic: String { worker.defaultInputTopic }
    /// The dead-letter topic beside the input topic.
    public var deadLetterTopic: String { inputTopic + ".dlq" }

    /// A sample stream with the entry's development secrets.
    public func sampleMessages(count: Int, seed: UInt64, faultEvery: Int) -> [SampleMessage] {
        sample(count, seed, faultEvery, developmentSecrets)
    }
}

extension DomainEntry {
    /// The domain's handler built from its defaults and `environment` (the development secrets unless
    /// told otherwise), as a worker process builds it from its configuration.
    public func makeHandler(environment: [String: String]? = nil) throws -> any WorkerDomain {
        let keys = RuntimeConfigurationKeys.keys(workerName: name, inputTopic: inputTopic, batchMaxMessages: worker.defaultBatchMaxMessages)
            + worker.configurationKeys
        let configuration = try WorkerConfiguration.load(path: nil, environment: environment ?? developmentSecrets, knownKeys: keys)
        return try worker.init(configuration: configuration)
    }
}
