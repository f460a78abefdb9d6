import Kafka

/// How a worker consumes its input topic.
public enum AssignmentMode: String, Sendable, CaseIterable {
    /// Read every partition of the input topic, starting at the offsets kept in the store. No group
    /// membership, so a restart never waits for a rebalance. The default: one process per store.
    case direct
    /// Join the consumer group; partitions come and go through rebalances, each starting at the
    /// offset kept in the store, and the batch in hand is committed before a partition is released.
    case group
}

/// The runtime's settings for one worker (read from its config file; see `WorkerConfiguration`).
public struct RuntimeSettings: Sendable {
    public var workerName: String
    public var inputTopic: String
    public var deadLetterTopic: String
    public var notificationsTopic: String
    /// librdkafka properties for the consumer and the producer (`bootstrap.servers`, `group.id`, SASL, …).
    public var kafka: KafkaConfiguration
    public var assignment: AssignmentMode = .direct
    public var batchMaxMessages = 2_000
    public var batchMaxWait: Duration = .milliseconds(50)
    /// Consumption pauses while more notifications than this await delivery.
    public var outboxMaxBacklog = 10_000
    public var retryInitialDelay: Duration = .milliseconds(100)
    public var retryMaxDelay: Duration = .seconds(30)
    /// How long a stopping worker waits for pending notifications to be delivered.
    public var shutdownDeliveryTimeout: Duration = .seconds(10)
    /// The scheduling priority (nice, −20…19) the store's writer thread asks for; 0 leaves it alone.
    public var writerNice: Int32 = -10
    /// Attempts of one message alone, failing with an error a retry cannot cure, before it is dead-lettered
    /// with `PROCESSING_FAILED`.
    public var maxAttempts = 5
    /// Deaths of the process while one message was being handled alone before it is dead-lettered with
    /// `WORKER_CRASHED`.
    public var maxCrashes = 3
    /// How long the Kafka cluster may be out of reach before the worker warns and reports itself not ready.
    public var brokerUnreachableWarning: Duration = .seconds(10)
    /// The key identity numbers are hashed with (`store.identity_key`; a worker process requires its own).
    public var identityKey: IdentityKey = .forTests
    /// How long event ids and outcomes are kept, in business time (`store.event_id_retention`; nil: for ever).
    public var eventIDRetention: Duration? = .seconds(90 * 86_400)

    public init(workerName: String, inputTopic: String, deadLetterTopic: String, notificationsTopic: String, kafka: KafkaConfiguration) {
        self.workerName = workerName
        self.inputTopic = inputTopic
        self.deadLetterTopic = deadLetterTopic
        self.notificationsTopic = notificationsTopic
        self.kafka = kafka
    }
}
