/// A domain that can be run as a worker executable: its name, topic, configuration keys, and how it is
/// built from its configuration (invalid settings fail here, naming the key).
public protocol WorkerDomain: DomainHandler {
    static var workerName: String { get }
    static var defaultInputTopic: String { get }
    /// The domain's own keys (under `domain.`), documented with defaults.
    static var configurationKeys: [ConfigurationKey] { get }
    init(configuration: WorkerConfiguration) throws
}
