/// The configuration keys every worker has (a domain adds its own under `domain.`).
public enum RuntimeConfigurationKeys {
    public static func keys(workerName: String, inputTopic: String, batchMaxMessages: Int = 2_000) -> [ConfigurationKey] {
        [
            ConfigurationKey("worker.name", default: workerName, "The worker's name: notification source /welfare-workers/<name>, dlq-worker header"),
            ConfigurationKey("topics.input", default: inputTopic, "The input topic this worker consumes"),
            ConfigurationKey("topics.dead_letter", default: inputTopic + ".dlq", "Where messages that break the contract are copied"),
            ConfigurationKey("topics.notifications", default: "welfare.notifications", "Where notifications are published"),
            ConfigurationKey("store.path", default: "var/\(workerName).sqlite", "The worker's SQLite store (created with mode 0600)"),
            ConfigurationKey("store.busy_timeout_ms", default: "2000", "How long a write waits for a lock held by a reader before it counts as a transient fault"),
            ConfigurationKey("store.identity_key", default: nil,
                             "Secret (at least 32 bytes) identity numbers are hashed with (HMAC-SHA-256) before the store keeps them; required by workers that keep identity hashes; keep it out of the config file, use WELFARE_STORE_IDENTITY_KEY; never logged"),
            ConfigurationKey("store.event_id_retention", default: "90d",
                             "How long event ids and outcomes are kept, in business time (e.g. 90d, 36h; 0 keeps them for ever): a repeat is a duplicate inside it"),
            ConfigurationKey("store.cache_mb", default: String(SQLiteStore.defaultCacheMegabytes), "SQLite page cache of the writing connection, in MiB"),
            ConfigurationKey("store.writer_nice", default: "-10", "Scheduling priority (nice) of the thread that writes the store; below 0 needs CAP_SYS_NICE or LimitNICE, else it runs at 0"),
            ConfigurationKey("consumer.assignment", default: "direct", "direct: read every partition from the store's offsets; group: join the consumer group"),
            ConfigurationKey("batch.max_messages", default: String(batchMaxMessages), "Most messages applied in one SQLite transaction"),
            ConfigurationKey("batch.max_wait_ms", default: "50", "Longest wait for a batch to fill"),
            ConfigurationKey("outbox.max_backlog", default: nil, "Consumption pauses while more messages than this await delivery (default: five batches, at least 10000)"),
            ConfigurationKey("retry.initial_delay_ms", default: "100", "First backoff after a transient fault"),
            ConfigurationKey("retry.max_delay_ms", default: "30000", "Longest backoff after repeated transient faults"),
            ConfigurationKey("shutdown.delivery_timeout_ms", default: "10000", "How long a stopping worker waits for pending notifications"),
            ConfigurationKey("broker.unreachable_warning_ms", default: "10000",
                             "How long the Kafka cluster may be out of reach before the worker logs a warning, reports not ready and sets welfare_broker_unreachable_seconds"),
            ConfigurationKey("processing.max_attempts", default: "5",
                             "Attempts of one message alone that fail with a non-transient error before it is dead-lettered (PROCESSING_FAILED)"),
            ConfigurationKey("processing.max_crashes", default: "3",
                             "Deaths of the process while one message is handled alone before it is dead-lettered (WORKER_CRASHED)"),
            ConfigurationKey("http.host", default: "127.0.0.1", "Address of the /metrics, /healthz and /readyz listener"),
            ConfigurationKey("http.port", default: "0", "Port of that listener; 0 turns it off"),
            ConfigurationKey("log.level", default: "info", "trace, debug, info, notice, warning, error or critical"),
            ConfigurationKey("log.format", default: "text", "text or json (one object per line)"),
            ConfigurationKey("embedded.input_partitions", default: "12", "Partitions of the input topic on the embedded broker"),
            ConfigurationKey("embedded.address_file", default: nil, "With the embedded broker, also write its bootstrap address to this file"),
        ]
    }
}
