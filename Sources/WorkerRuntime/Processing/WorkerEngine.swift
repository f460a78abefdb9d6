import Foundation
import Kafka
import Logging
import Synchronization

/// The processing loop of one worker, on threads of its own (librdkafka and SQLite calls block):
///
/// poll a batch → one SQLite transaction on the writer thread (outcomes, domain effects, outbox rows, next
/// offsets, deletion of delivered outbox rows) → hand the new outbox rows to the idempotent producer →
/// commit offsets to Kafka as a courtesy for lag tools. While a transaction runs, the engine's thread sends
/// the previous batch's outbox rows, takes already fetched messages and checks the next batch. Offsets live in the store, so a crash at any instant neither loses nor
/// doubles an effect. Transient faults roll back, pause the partitions and retry with backoff; no message
/// is ever skipped.
public final class WorkerEngine<Handler: DomainHandler>: Sendable {
    public let settings: RuntimeSettings
    public let store: any RuntimeStore
    public let metrics: WorkerMetrics
    public let health: HealthState
    /// What the status page shows, when the worker serves one.
    public let board: StatusBoard?
    let processor: MessageProcessor<Handler>
    let logger: Logger
    let deliveries = DeliveryTracker()
    /// Notices a Kafka cluster out of reach for too long.
    let brokerWatch: BrokerWatch
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    /// Runs the transactions, so that the engine's thread polls, checks and sends meanwhile.
    let writer: DedicatedThread
    /// Names the messages each transaction handles while it runs, for the next start if this process dies.
    let marker: (any CrashMarker)?

    public init(settings: RuntimeSettings, handler: Handler, store: any RuntimeStore, metrics: WorkerMetrics, health: HealthState,
                board: StatusBoard? = nil, logger: Logger) {
        self.settings = settings
        self.store = store
        self.metrics = metrics
        self.health = health
        self.board = board
        self.logger = logger
        self.processor = MessageProcessor(handler: handler, deadLetterTopic: settings.deadLetterTopic, notificationsTopic: settings.notificationsTopic,
                                          identityKey: settings.identityKey, eventIDRetention: settings.eventIDRetention)
        self.marker = try? store.makeCrashMarker()
        self.brokerWatch = BrokerWatch(warningAfter: settings.brokerUnreachableWarning, logger: logger)
        // The writer is the worker's bottleneck; on two cores the checking and rendering threads (nice −4 through
        // libdispatch's QoS where it may) preempted it during its transactions. A thread of its own keeps
        // the priority with the writer instead of with a pool thread that later runs other work.
        self.writer = DedicatedThread(name: "store-writer", nice: settings.writerNice) { [logger] error in
            logger.notice("the store writer runs at the normal priority: raising it was refused (it needs CAP_SYS_NICE or LimitNICE)",
                          metadata: ["store.writer_nice": "\(settings.writerNice)", "errno": "\(error)"])
        }
    }

    /// Starts the loop on its own thread.
    public func start() {
        guard started.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else { return }
        startThread(named: "worker-engine") { [self] in
            health.markRunning(true)
            do {
                // The loop's state lives in an object only this thread reaches.
                try EngineLoop(engine: self).run()
            } catch {
                logger.critical("worker stopped on an unrecoverable error", metadata: ["error": "\(error)"])
            }
            health.markRunning(false)
            finished.signal()
        }
    }

    /// Asks the loop to stop after the batch in hand; returns at once.
    public func requestStop() { stopRequested.store(true, ordering: .sequentiallyConsistent) }

    /// Waits for the loop to finish (after `requestStop`). Blocking.
    @discardableResult
    public func waitUntilStopped(timeout: Duration = .seconds(60)) -> Bool {
        finished.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000))) == .success
    }

    var stopping: Bool { stopRequested.load(ordering: .relaxed) }

    /// Whether the loop ended because `requestStop` asked it to.
    public var stoppedOnRequest: Bool { stopRequested.load(ordering: .relaxed) }

    /// Applies a batch in one transaction; returns what to send and the next offsets. `ahead` holds the
    /// batch's store-free checks when they were done while the previous batch committed.
    func commit(_ batch: [ConsumedMessage], ahead: MessageProcessor<Handler>.PreparedBatch? = nil, deleting confirmed: [Int64],
                crashes: Int = 0, deadLetteringAs forced: (reason: DeadLetterReason, detail: String)? = nil) throws -> MessageProcessor<Handler>.BatchResult {
        let start = ContinuousClock.now
        marker?.begin(batch, crashes: crashes)
        defer { marker?.end() }
        let store = store
        let result = try store.write { transaction -> MessageProcessor<Handler>.BatchResult in
            try store.deleteDelivered(confirmed, in: transaction)
            let result = try processor.process(batch, ahead: ahead, deadLetteringAs: forced, in: transaction)
            try store.saveNextOffsets(result.nextOffsets, in: transaction)
            return result
        }
        metrics.recordBatch(messages: batch.count, duration: ContinuousClock.now - start, outcomes: result.outcomes, deadLetters: result.deadLetters)
        board?.recordBatch(outcomes: result.outcomes, deadLetters: result.recentDeadLetters, nextOffsets: result.nextOffsets)
        return result
    }
}

/// A batch handed to the writer thread and its outcome handed back; the `DispatchGroup` wait between the
/// write and the read orders them. The engine's thread keeps the job and lets go of it while the next
/// transaction runs, so that freeing thousands of messages holds up neither the writer nor the next batch.
/// Unchecked: `outcome` is written by the writer thread once and read after the group's wait.
final class WriterJob<Handler: DomainHandler>: @unchecked Sendable {
    let batch: [ConsumedMessage]
    let ahead: MessageProcessor<Handler>.PreparedBatch?
    var outcome: Result<MessageProcessor<Handler>.BatchResult, any Error>?

    init(batch: [ConsumedMessage], ahead: MessageProcessor<Handler>.PreparedBatch?) {
        self.batch = batch
        self.ahead = ahead
    }
}
