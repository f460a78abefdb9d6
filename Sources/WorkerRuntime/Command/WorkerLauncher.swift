import Foundation
import Kafka
import Logging
import MemoryAllocator
import PostgreSQL
import ServiceLifecycle

/// Runs one domain as a worker process: configuration, logging, store (with its lock), the embedded
/// broker when no cluster is configured, the engine, the HTTP listener, and a clean stop on SIGTERM/SIGINT.
public enum WorkerLauncher {
    /// The whole life of a worker process; returns when it has stopped cleanly.
    public static func run<Domain: WorkerDomain>(_ domain: Domain.Type, options: WorkerOptions, environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        let sqliteTuned = SQLiteStore.tuneSQLiteForThisProcess()
        signal(SIGPIPE, SIG_IGN)
        signal(SIGXFSZ, SIG_IGN)  // a file-size limit is a store fault to retry, not a reason to die
        let keys = RuntimeConfigurationKeys.keys(workerName: Domain.workerName, inputTopic: Domain.defaultInputTopic, batchMaxMessages: Domain.defaultBatchMaxMessages) + Domain.configurationKeys
        var configuration = try WorkerConfiguration.load(path: options.config, environment: environment, knownKeys: keys)
        if let store = options.store { configuration.set("store.path", to: store, origin: "--store") }
        if let servers = options.bootstrapServers { configuration.setKafka("bootstrap.servers", to: servers) }

        let logLevel = try configuration.choice("log.level", Logger.Level.allCases.map(\.rawValue))
        let jsonLogs = try configuration.choice("log.format", ["text", "json"]) == "json"
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = jsonLogs ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            return handler
        }
        let workerName = try configuration.string("worker.name")
        var logger = Logger(label: "welfare.\(workerName)")
        logger[metadataKey: "worker"] = "\(workerName)"

        let handler = try Domain(configuration: configuration)
        let settings = try runtimeSettings(configuration)
        let storePath = try configuration.string("store.path")
        var runtimeSettings = settings
        if !handler.identityHashColumns.isEmpty {
            guard let text = configuration.optionalString("store.identity_key"), !text.isEmpty else {
                throw ConfigurationError("store.identity_key is required: a secret of at least \(IdentityKey.minimumBytes) bytes that identity numbers are hashed with (set WELFARE_STORE_IDENTITY_KEY)")
            }
            guard let key = IdentityKey(text) else {
                throw ConfigurationError("store.identity_key must be at least \(IdentityKey.minimumBytes) bytes long")
            }
            runtimeSettings.identityKey = key
        }
        // The store engine: a PostgreSQL database shared by the worker's instances (each owns the partitions
        // its consumer group gives it), or a SQLite file locked to this process, migrated and checkpointed.
        let opened: SQLiteWorkerStore?
        let store: any RuntimeStore
        let assignment = try configuration.choice("consumer.assignment", ["auto"] + AssignmentMode.allCases.map(\.rawValue))
        if PostgresConnection.isURL(storePath) {
            let postgres = try PostgresStore(url: storePath, for: handler)
            if !handler.identityHashColumns.isEmpty, case .recorded = try postgres.checkIdentityKey(runtimeSettings.identityKey) {
                logger.info("store.identity_key recorded for this store (its fingerprint, not the key)")
            }
            opened = nil
            store = postgres
            if assignment == "auto" { runtimeSettings.assignment = .group }
        } else {
            let sqlite = try SQLiteWorkerStore(
                path: storePath, busyTimeout: try configuration.milliseconds("store.busy_timeout_ms"),
                cacheMegabytes: try configuration.integer("store.cache_mb", in: 2...4096), handler: handler,
                identityKey: handler.identityHashColumns.isEmpty ? nil : runtimeSettings.identityKey, logger: logger)
            opened = sqlite
            store = sqlite.store
        }
        defer { opened?.close() }
        logger.info("store open", metadata: [
            "store": "\(store.location)", "instance": "\((store as? PostgresStore)?.instance ?? "only")", "assignment": "\(runtimeSettings.assignment.rawValue)",
            "allocator": "\(WorkerLauncher.allocator)", "sqlite_memory_statistics": "\(sqliteTuned ? "off" : "on")",
        ])

        var embedded: EmbeddedBroker?
        var runtime = runtimeSettings
        if (configuration.kafkaProperties["bootstrap.servers"] ?? "").isEmpty {
            let broker = try EmbeddedBroker()
            try broker.createTopic(settings.inputTopic, partitions: try configuration.integer("embedded.input_partitions", in: 1...1024))
            try broker.createTopic(settings.deadLetterTopic, partitions: 3)
            try broker.createTopic(settings.notificationsTopic, partitions: 12)
            runtime.kafka["bootstrap.servers"] = broker.bootstrapServers
            logger.notice("no bootstrap servers configured: started an embedded Kafka broker", metadata: ["bootstrap_servers": "\(broker.bootstrapServers)"])
            if let file = configuration.optionalString("embedded.address_file") {
                try broker.writeAddress(to: file)
            }
            embedded = broker
        }

        let metrics = WorkerMetrics(worker: workerName)
        let health = HealthState()
        let board = StatusBoard(identity: .init(
            worker: workerName, storePath: store.location, brokerAddress: runtime.kafka["bootstrap.servers"] ?? "", allocator: WorkerLauncher.allocator,
            inputTopic: runtime.inputTopic, deadLetterTopic: runtime.deadLetterTopic))
        let engine = WorkerEngine(settings: runtime, handler: handler, store: store, metrics: metrics, health: health, board: board, logger: logger)
        var services: [any Service] = [EngineService(engine: Domain.controls(of: engine))]
        let port = try configuration.integer("http.port", in: 0...65_535)
        if port > 0 {
            let host = try configuration.string("http.host")
            services.append(ObservabilityServer.make(host: host, port: port, metrics: metrics, health: health, board: board, logger: logger))
            logger.info("serving /status, /status.json, /metrics, /healthz and /readyz", metadata: ["address": "\(host):\(port)"])
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        embedded?.shutdown()
        withExtendedLifetime(opened) {}
    }

    /// The malloc this process runs on, as its log names it: jemalloc and its version, or glibc's.
    public static var allocator: String {
        welfare_allocator_version().map { "jemalloc \(String(cString: $0))" } ?? "glibc"
    }

    /// The runtime settings from a configuration (every problem names its key).
    public static func runtimeSettings(_ configuration: WorkerConfiguration) throws -> RuntimeSettings {
        let name = try configuration.string("worker.name")
        guard FieldFormats.isIdentifier(name) else { throw ConfigurationError("worker.name must be 1–64 characters from [A-Za-z0-9._:-], not \(name)") }
        var kafka = KafkaConfiguration(configuration.kafkaProperties)
        if kafka["group.id"] == nil { kafka["group.id"] = "welfare-\(name)" }
        if kafka["client.id"] == nil { kafka["client.id"] = "welfare-\(name)" }
        var settings = RuntimeSettings(
            workerName: name, inputTopic: try configuration.string("topics.input"),
            deadLetterTopic: try configuration.string("topics.dead_letter"),
            notificationsTopic: try configuration.string("topics.notifications"), kafka: kafka)
        // auto: direct with a SQLite store (one process per store), group with a PostgreSQL one (see `run`).
        settings.assignment = AssignmentMode(rawValue: try configuration.choice("consumer.assignment", ["auto"] + AssignmentMode.allCases.map(\.rawValue))) ?? .direct
        settings.batchMaxMessages = try configuration.integer("batch.max_messages", in: 1...100_000)
        settings.batchMaxWait = try configuration.milliseconds("batch.max_wait_ms", in: 0...60_000)
        // A batch's notifications are all in flight right after its commit: a limit below a few batches
        // would pause consumption after every one, so the default follows the batch size.
        settings.outboxMaxBacklog = configuration.optionalString("outbox.max_backlog") == nil
            ? max(10_000, 5 * settings.batchMaxMessages) : try configuration.integer("outbox.max_backlog", in: 1...10_000_000)
        settings.retryInitialDelay = try configuration.milliseconds("retry.initial_delay_ms", in: 1...600_000)
        settings.retryMaxDelay = try configuration.milliseconds("retry.max_delay_ms", in: 1...3_600_000)
        settings.shutdownDeliveryTimeout = try configuration.milliseconds("shutdown.delivery_timeout_ms", in: 0...600_000)
        settings.writerNice = Int32(try configuration.integer("store.writer_nice", in: -20...19))
        settings.maxAttempts = try configuration.integer("processing.max_attempts", in: 1...100)
        settings.brokerUnreachableWarning = try configuration.milliseconds("broker.unreachable_warning_ms", in: 100...3_600_000)
        settings.maxCrashes = try configuration.integer("processing.max_crashes", in: 1...100)
        settings.eventIDRetention = try retention(configuration.string("store.event_id_retention"))
        // Validate the librdkafka properties now, so a bad one fails at start naming the key.
        _ = try Producer(configuration: settings.kafka.forProducer.withDefaults(["bootstrap.servers": "127.0.0.1:9"]), logger: Logger(label: "welfare.config-check", factory: { _ in SwiftLogNoOpLogHandler() })).close(flushTimeout: .zero)
        return settings
    }
}

/// `store.event_id_retention`: `0` (for ever) or a whole number of days, hours or minutes (`90d`, `36h`, `30m`).
func retention(_ text: String) throws -> Duration? {
    if text == "0" { return nil }
    let units: [Character: Int64] = ["d": 86_400, "h": 3_600, "m": 60]
    guard let unit = text.last, let seconds = units[unit], let count = Int64(text.dropLast()), count > 0, count <= 36_500 * 86_400 / seconds else {
        throw ConfigurationError("store.event_id_retention must be 0 or a whole number of days, hours or minutes such as 90d, 36h or 30m, not \(text)")
    }
    return .seconds(count * seconds)
}

/// Runs the engine as a service: stops it on graceful shutdown; ends the group if the engine dies.
struct EngineService: Service {
    let engine: EngineControls

    func run() async throws {
        engine.start()
        let waiter = DedicatedThread(name: "engine-wait")
        defer { waiter.stop() }
        try await withGracefulShutdownHandler {
            _ = try await waiter.run { engine.waitUntilStopped(.seconds(86_400 * 365)) }
        } onGracefulShutdown: {
            engine.requestStop()
        }
        if !engine.stoppedOnRequest() { throw WorkerStoppedUnexpectedly() }
    }
}

/// The engine's loop ended without being asked to (a fatal client error): exit non-zero so a supervisor restarts it.
struct WorkerStoppedUnexpectedly: Error, CustomStringConvertible {
    var description: String { "the worker loop stopped unexpectedly" }
}
