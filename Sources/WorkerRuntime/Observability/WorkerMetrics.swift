import Prometheus
import Synchronization

/// The worker's Prometheus metrics (all named `welfare_*`). Counters are updated once per batch, not per message.
public final class WorkerMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    private let worker: String
    private let batchSize: ValueHistogram
    private let transactionSeconds: DurationHistogram
    private let outboxBacklog: Gauge
    private let healthy: Gauge
    private let fetchWakeUps: Counter
    private let outboxSetAside: Counter
    private let brokerUnreachable: Gauge
    /// The owner-epoch gauge of each partition this instance owns (a shared store's engine only).
    private let ownership = Mutex<[Int32: Gauge]>([:])

    private static var messages: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "welfare", metricName: "messages", unitName: "total", helpText: "Input messages by outcome and event type")
    }
    private static var deadLetters: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "welfare", metricName: "dead_letters", unitName: "total", helpText: "Messages copied to the dead-letter topic, by reason")
    }
    private static var retries: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "welfare", metricName: "retries", unitName: "total", helpText: "Retries of transient faults, by kind (store, delivery)")
    }
    private static var ownerEpoch: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "welfare", metricName: "partition_owner_epoch", unitName: "",
        helpText: "The owner epoch this instance took each input partition it owns with (shared PostgreSQL store); absent for partitions it does not own")
    }
    private static var lag: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "welfare", metricName: "partition_lag", unitName: "messages", helpText: "High watermark minus the offset kept in the store, per input partition")
    }

    public init(worker: String, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.worker = worker
        batchSize = registry.makeValueHistogram(
            descriptor: MetricNameDescriptor(namespace: "welfare", metricName: "batch_size", unitName: "messages", helpText: "Messages per committed batch"),
            labels: [("worker", worker)], buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000])
        transactionSeconds = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(namespace: "welfare", metricName: "transaction", unitName: "seconds", helpText: "Time to apply and commit one batch"),
            labels: [("worker", worker)],
            buckets: [.microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                      .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(500), .seconds(1), .seconds(2)])
        outboxBacklog = registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "welfare", metricName: "outbox_backlog", unitName: "messages",
                                             helpText: "Notifications and dead-letter copies not yet confirmed by Kafka"),
            labels: [("worker", worker)])
        healthy = registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "welfare", metricName: "worker_healthy", unitName: "",
                                             helpText: "1 while the worker is processing, 0 while stuck retrying a fault"),
            labels: [("worker", worker)])
        brokerUnreachable = registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "welfare", metricName: "broker_unreachable", unitName: "seconds",
                                             helpText: "How long the Kafka cluster has been out of reach (0 while reachable)"),
            labels: [("worker", worker)])
        outboxSetAside = registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "welfare", metricName: "outbox_set_aside", unitName: "total",
                                             helpText: "Outbox rows that could not be read back and were set aside in runtime_outbox_set_aside"),
            labels: [("worker", worker)])
        fetchWakeUps = registry.makeCounter(
            descriptor: MetricNameDescriptor(namespace: "welfare", metricName: "fetch_wakeups", unitName: "total",
                                             helpText: "Times the consumer's prefetch queue ran dry in a backlog and its fetchers were woken"),
            labels: [("worker", worker)])
    }

    /// Records one committed batch.
    public func recordBatch(messages: Int, duration: Duration, outcomes: [OutcomeKey: Int], deadLetters: [DeadLetterReason: Int]) {
        if messages > 0 { batchSize.record(Int64(messages)) }
        transactionSeconds.record(duration)
        for (key, count) in outcomes {
            registry.makeCounter(descriptor: Self.messages, labels: [("worker", worker), ("outcome", key.outcome.rawValue), ("type", key.eventType)])
                .increment(by: Int64(count))
        }
        for (reason, count) in deadLetters {
            registry.makeCounter(descriptor: Self.deadLetters, labels: [("worker", worker), ("reason", reason.rawValue)])
                .increment(by: Int64(count))
        }
    }

    /// Records a retry of a transient fault (`store` or `delivery`).
    public func recordRetry(kind: String) {
        registry.makeCounter(descriptor: Self.retries, labels: [("worker", worker), ("kind", kind)]).increment()
    }

    /// Records a wake-up of the consumer's fetchers (its queue ran dry right after a full poll).
    public func recordFetchWakeUp() { fetchWakeUps.increment() }

    public func setBrokerUnreachable(_ duration: Duration?) {
        brokerUnreachable.set(duration.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 } ?? 0)
    }

    /// Records outbox rows set aside because they could not be read back.
    public func recordOutboxSetAside(_ count: Int) { outboxSetAside.increment(by: Int64(count)) }

    public func setOutboxBacklog(_ count: Int) { outboxBacklog.set(Double(count)) }

    public func setHealthy(_ flag: Bool) { healthy.set(flag ? 1.0 : 0.0) }

    /// Lag of one input partition: high watermark minus the offset kept in the store.
    public func setLag(partition: Int32, lag: Int64) {
        registry.makeGauge(descriptor: Self.lag, labels: [("worker", worker), ("partition", String(partition))]).set(Double(max(0, lag)))
    }

    /// The partitions this instance owns now, with their owner epochs: one gauge each, and none for the rest.
    public func setOwnership(_ epochs: [Int32: Int64]) {
        ownership.withLock { gauges in
            for (partition, gauge) in gauges where epochs[partition] == nil {
                registry.unregisterGauge(gauge)
                gauges[partition] = nil
            }
            for (partition, epoch) in epochs {
                let gauge = gauges[partition] ?? registry.makeGauge(descriptor: Self.ownerEpoch, labels: [("worker", worker), ("partition", String(partition))])
                gauge.set(Double(epoch))
                gauges[partition] = gauge
            }
        }
    }

    /// The metrics in Prometheus text format.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return buffer
    }
}

/// An outcome and the event type it was for, as metric labels.
public struct OutcomeKey: Hashable, Sendable {
    public let outcome: MessageOutcome
    public let eventType: String

    public init(outcome: MessageOutcome, eventType: String) {
        self.outcome = outcome
        self.eventType = eventType
    }
}
