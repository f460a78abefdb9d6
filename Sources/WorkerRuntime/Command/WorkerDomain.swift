/// A domain that can be run as a worker executable: its name, topic, configuration keys, and how it is
/// built from its configuration (invalid settings fail here, naming the key).
public protocol WorkerDomain: DomainHandler {
    static var workerName: String { get }
    static var defaultInputTopic: String { get }
    /// The domain's own keys (under `domain.`), documented with defaults.
    static var configurationKeys: [ConfigurationKey] { get }
    /// The default of `batch.max_messages` for this worker: larger transactions pay for domains that
    /// write few randomly keyed indexes per event (each hot page is written once for more events).
    static var defaultBatchMaxMessages: Int { get }
    init(configuration: WorkerConfiguration) throws
    /// The controls of an engine running this domain: `EngineControls(engine)`, written out in each
    /// domain. Release builds optimise across this package's modules and specialise generic code where
    /// a concrete type calls it: made here, in the domain's own module, the controls start an engine
    /// specialised for the domain. Reached only from the launcher's generic code, the engine ran
    /// unspecialised (type metadata looked up at run time for every message).
    static func controls(of engine: WorkerEngine<Self>) -> EngineControls
}

extension WorkerDomain {
    public static var defaultBatchMaxMessages: Int { 2_000 }
}
