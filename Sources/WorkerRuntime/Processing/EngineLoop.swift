import Foundation
import Kafka
import Logging
import Synchronization

/// The worker's loop and the state it keeps, reached only from the engine's own thread (the rebalance
/// listener runs there too, inside `poll`): made there when the engine starts and gone when it stops, so
/// the compiler keeps every other thread away from it (it is not `Sendable`). Work for the writer thread
/// goes through the engine's `commit`, which touches only what is safe to share.
final class EngineLoop<Handler: DomainHandler> {
    let engine: WorkerEngine<Handler>
    private var consumer: Consumer?
    private var producer: Producer?
    /// Messages taken from Kafka but not yet committed (kept across failed attempts).
    var carried: [ConsumedMessage] = []
    private var assigned: Set<TopicPartition> = []
    var paused = false
    var storeRetry: RetryPolicy
    private var deliveryRetryAt: ContinuousClock.Instant = .now
    private var deliveryRetry: RetryPolicy
    /// Messages to handle alone before anything else, found from what a dead process left in the marker.
    var crashPlan: [CrashStep] = []
    private var lastLagUpdate: ContinuousClock.Instant = .now
    /// The checks of the next batch, done while the previous one committed.
    var preparedAhead: MessageProcessor<Handler>.PreparedBatch?
    /// Set when a stop came while partitions were being assigned without the store's offsets: the messages
    /// carried then are not committed at shutdown.
    private var assignmentAbandoned = false
    /// Set when partitions of a shared store were taken: the outbox rows their earlier owner left are sent.
    private var outboxToResend = false
    /// Whether the last poll got all it asked for (the consumer's queue had more).
    private var lastPollFilled = false
    /// The last committed batch, whose outbox rows are handed to the producer during the next transaction.
    var committedToSend: MessageProcessor<Handler>.BatchResult?
    /// The last transaction's messages and checks, let go of once the next transaction is under way: freeing
    /// them between two transactions kept the writer waiting.
    private var retired: WriterJob<Handler>?

    init(engine: WorkerEngine<Handler>) {
        self.engine = engine
        storeRetry = RetryPolicy(initialDelay: engine.settings.retryInitialDelay, maximumDelay: engine.settings.retryMaxDelay)
        deliveryRetry = RetryPolicy(initialDelay: engine.settings.retryInitialDelay, maximumDelay: engine.settings.retryMaxDelay)
    }

    // What the loop shares with the engine (all of it safe to share).
    var settings: RuntimeSettings { engine.settings }
    var store: any RuntimeStore { engine.store }
    var metrics: WorkerMetrics { engine.metrics }
    var health: HealthState { engine.health }
    var board: StatusBoard? { engine.board }
    var processor: MessageProcessor<Handler> { engine.processor }
    var logger: Logger { engine.logger }
    var deliveries: DeliveryTracker { engine.deliveries }
    var brokerWatch: BrokerWatch { engine.brokerWatch }
    var writer: DedicatedThread { engine.writer }
    var marker: (any CrashMarker)? { engine.marker }
    var stopping: Bool { engine.stopping }

    func commit(_ batch: [ConsumedMessage], ahead: MessageProcessor<Handler>.PreparedBatch? = nil, deleting confirmed: [Int64],
                crashes: Int = 0, deadLetteringAs forced: (reason: DeadLetterReason, detail: String)? = nil) throws -> MessageProcessor<Handler>.BatchResult {
        try engine.commit(batch, ahead: ahead, deleting: confirmed, crashes: crashes, deadLetteringAs: forced)
    }

    // MARK: - The loop

    func run() throws {
        let producer = try Producer(
            configuration: settings.kafka.forProducer.withDefaults([
                // Never give up on a notification: an outage only delays it.
                "message.timeout.ms": "0",
                "linger.ms": "5",
                "message.max.bytes": "10485760",
                "queue.buffering.max.messages": "1000000",
            ]),
            logger: logger,
            onDelivery: { [deliveries, brokerWatch] report in
                deliveries.record(report)
                if case .success = report.result { brokerWatch.reachable() }
            },
            onError: { [brokerWatch] error in brokerWatch.record(error) })
        self.producer = producer
        let consumer = try Consumer(
            // Prefetch at most 8 MiB (librdkafka's default is 64 MiB): about a second of work, enough for
            // the worker to take what is queued while a batch commits, and a worker catching up on a backlog
            // keeps far less memory. A smaller per-partition queued.min.messages starved the batches instead.
            configuration: settings.kafka.withDefaults(["fetch.wait.max.ms": "100", "queued.max.messages.kbytes": "8192"]),
            logger: logger,
            rebalance: settings.assignment == .group ? rebalanceListener() : nil,
            onError: { [logger, brokerWatch] error in
                brokerWatch.record(error)
                logger.warning("Kafka consumer error", metadata: ["error": "\(error)"])
            })
        self.consumer = consumer

        learnOutputTopics(producer)
        resendPendingOutbox()
        switch settings.assignment {
        case .direct: assignAllPartitions(consumer)
        case .group:
            try consumer.subscribe([settings.inputTopic])
            logger.info("joined consumer group", metadata: ["group": "\(settings.kafka["group.id"] ?? "")"])
        }

        while !stopping {
            if outboxToResend {
                outboxToResend = false
                sendCommitted(consumer, producer)
                resendPendingOutbox()
            }
            if crashPlan.isEmpty {
                step(consumer, producer)
            } else {
                stepThroughCrashPlan(consumer, producer)
            }
        }
        shutDown(consumer, producer)
        writer.stop()
    }

    /// One turn of the loop: poll, apply and commit a batch on the writer thread (or retry it), and meanwhile
    /// send the previous batch's outbox rows and check the next batch.
    private func step(_ consumer: Consumer, _ producer: Producer) {
        watchBroker(consumer)
        resendFailedDeliveries(producer)
        let backlog = deliveries.inFlight
        metrics.setOutboxBacklog(backlog)
        if let board {
            board.setOutbox(backlog: backlog, oldestUndeliveredSeconds: backlog == 0 ? nil : deliveries.oldestUnconfirmedAge.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 })
        }
        if backlog > settings.outboxMaxBacklog {
            sendCommitted(consumer, producer)
            pauseAssigned(consumer, reason: "outbox backlog \(backlog) above \(settings.outboxMaxBacklog)")
            pollInto(consumer, maxWait: .milliseconds(20))
            return
        }
        if carried.isEmpty || paused {
            // Nothing to overlap the last batch's sending with: send it before waiting for messages.
            sendCommitted(consumer, producer)
            pollInto(consumer, maxWait: carried.isEmpty ? settings.batchMaxWait : .zero)
            // The poll took partitions a dead process left messages of: those are narrowed down first.
            guard crashPlan.isEmpty else { return }
        }
        let confirmed = deliveries.takeConfirmed()
        guard !carried.isEmpty || !confirmed.isEmpty else {
            retired = nil
            // Nothing left to retry (a rebalance took the messages of a failed batch): consumption resumes, or
            // no commit would ever come to resume it.
            if paused && deliveries.inFlight <= settings.outboxMaxBacklog { resumeAssigned(consumer) }
            updateLag(consumer)
            return
        }
        let batch = Array(carried.prefix(settings.batchMaxMessages))
        let ahead = preparedAhead
        preparedAhead = nil
        // The transaction runs on the writer thread. Meanwhile this thread hands the previous batch's
        // outbox to the producer, takes the messages already fetched (direct assignment only: in a group,
        // a poll may run a rebalance, which must not overlap a transaction) and checks the next batch.
        let writing = DispatchGroup()
        let job = WriterJob(batch: batch, ahead: ahead)
        writer.async(group: writing) { [engine] in
            job.outcome = Result { try engine.commit(job.batch, ahead: job.ahead, deleting: confirmed) }
        }
        retired = nil
        sendCommitted(consumer, producer)
        if settings.assignment == .direct && !paused && carried.count < 2 * settings.batchMaxMessages {
            pollInto(consumer, maxWait: .zero, upTo: 2 * settings.batchMaxMessages)
        }
        let following = Array(carried.dropFirst(batch.count).prefix(settings.batchMaxMessages))
        if !following.isEmpty {
            // Until the transaction is done; the writer's checking thread takes the rest as the next one runs.
            preparedAhead = processor.prepareAhead(following) { writing.wait(timeout: .now()) == .success }
        }
        writing.wait()
        let outcome = job.outcome
        job.outcome = nil
        retired = job
        switch outcome {
        case .success(let result)?:
            carried.removeFirst(batch.count)
            storeRetry.reset()
            health.committed()
            metrics.setHealthy(true)
            if paused && deliveries.inFlight <= settings.outboxMaxBacklog { resumeAssigned(consumer) }
            committedToSend = result
            updateLag(consumer)
        case .failure(let error)? where !StoreFault.isTransient(error):
            isolateFailure(of: batch, error: error, confirmed: confirmed, consumer, producer)
        case .failure(let error)?:
            storeFailed(error, confirmed: confirmed, consumer)
        case nil:
            storeFailed(KafkaError.client("the writer thread gave no result"), confirmed: confirmed, consumer)
        }
    }

    /// A transaction that failed: its confirmations wait for the next one; pause, back off, retry.
    func storeFailed(_ error: any Error, confirmed: [Int64], _ consumer: Consumer) {
        deliveries.restoreConfirmed(confirmed)
        let delay = storeRetry.nextDelay()
        health.stuck("store write failed: \(error)", storeFault: true)
        metrics.setHealthy(false)
        metrics.recordRetry(kind: "store")
        logger.warning("store write failed; pausing and retrying", metadata: [
            "error": "\(error)", "retry_in_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
            "attempt": "\(storeRetry.attempts)",
        ])
        pauseAssigned(consumer, reason: "store write failed")
        waitServingKafka(consumer, for: delay)
    }

    /// Hands the last committed batch's outbox rows to the producer and commits its offsets to Kafka
    /// (a courtesy for lag tools). Done while the next batch's transaction runs, or before waiting.
    func sendCommitted(_ consumer: Consumer?, _ producer: Producer) {
        guard let result = committedToSend else { return }
        committedToSend = nil
        send(result.outbox, producer)
        try? consumer?.commitAsync(result.nextOffsets)
    }

    /// Hands committed outbox rows to the producer. A message's token names its row and its place in it;
    /// a row is deleted once all of its messages are confirmed.
    func send(_ rows: [OutboxRow], _ producer: Producer) {
        for row in rows {
            deliveries.expect(row)
            for (index, record) in row.records.enumerated() {
                send(record, token: OutboxRow.token(seq: row.seq, index: index), producer)
            }
        }
    }

    func send(_ record: ProducerRecord, token: UInt64, _ producer: Producer) {
        while true {
            do {
                try producer.send(record, token: token)
                deliveries.sent()
                return
            } catch {
                if error.isRetriable && !stopping {
                    usleep(1_000)  // librdkafka's queue is full; its own thread drains it
                    continue
                }
                // Left in the outbox; sent again from the store with backoff.
                deliveries.sent()
                deliveries.record(DeliveryReport(token: token, topic: record.topic, result: .failure(error)))
                return
            }
        }
    }

    /// Sends again, from the store, messages whose delivery failed (after a backoff).
    private func resendFailedDeliveries(_ producer: Producer) {
        guard deliveries.hasFailures, ContinuousClock.now >= deliveryRetryAt else { return }
        let (tokens, error) = deliveries.takeFailed()
        metrics.recordRetry(kind: "delivery")
        let delay = deliveryRetry.nextDelay()
        deliveryRetryAt = ContinuousClock.now + delay
        logger.warning("delivery failed; sending again", metadata: ["count": "\(tokens.count)", "error": "\(error.map { "\($0)" } ?? "")"])
        do {
            let page = try store.pendingOutbox(only: Set(tokens.map { OutboxRow.position(of: $0).seq }))
            setAside(page.corrupt)
            let rows = page.rows
            let messages = Dictionary(uniqueKeysWithValues: rows.map { ($0.seq, $0.records) })
            for token in tokens {
                let (seq, index) = OutboxRow.position(of: token)
                guard let records = messages[seq], index < records.count else { continue }
                send(records[index], token: token, producer)
            }
        } catch {
            for token in tokens { deliveries.record(DeliveryReport(token: token, topic: "", result: .failure(.client("store read failed")))) }
            deliveries.sent(count: tokens.count)
        }
    }

    /// At start: rows left in the outbox by an earlier run (crash or bounded shutdown) go out again, but for
    /// the messages the cluster already holds (`OutboxReadBack`).
    private func resendPendingOutbox() {
        guard let producer else { return }
        while !stopping {
            do {
                var rows: [OutboxRow] = []
                var after: Int64 = 0
                while true {
                    let page = try store.pendingOutbox(after: after, limit: 64)
                    setAside(page.corrupt)
                    let last = max(page.rows.last?.seq ?? -1, page.corrupt.max() ?? -1)
                    guard last >= 0 else { break }
                    // Rows this run already handed to the producer are not sent twice (partitions taken later).
                    rows += page.rows.filter { !deliveries.isTracked($0.seq) }
                    after = last
                }
                guard !rows.isEmpty else { return }
                let readingBack = ContinuousClock.now
                let delivered = readBack(rows)
                let readBackTime = ContinuousClock.now - readingBack
                var left = 0
                var sent = 0
                for row in rows {
                    let tokens = row.records.indices.map { OutboxRow.token(seq: row.seq, index: $0) }
                    deliveries.expect(row, alreadyDelivered: tokens.filter(delivered.contains).count)
                    for (token, record) in zip(tokens, row.records) where !delivered.contains(token) {
                        send(record, token: token, producer)
                        sent += 1
                    }
                    left += row.records.count
                }
                logger.info("outbox messages left by an earlier run", metadata: [
                    "left": "\(left)", "already_on_the_cluster": "\(left - sent)", "sent_again": "\(sent)",
                    "read_back_ms": "\(readBackTime.components.seconds * 1000 + readBackTime.components.attoseconds / 1_000_000_000_000_000)",
                ])
                return
            } catch {
                logger.warning("cannot read the outbox; retrying", metadata: ["error": "\(error)"])
                let deadline = ContinuousClock.now + .milliseconds(500)
                while ContinuousClock.now < deadline && !stopping { usleep(20_000) }
            }
        }
    }

    /// The tokens of the rows' messages the cluster already holds, read back on a thread of its own; none
    /// when that cannot be done within 15 s or a stop comes first (they are then all sent again).
    private func readBack(_ rows: [OutboxRow]) -> Set<UInt64> {
        logger.info("reading back the output topics before resending the outbox rows an earlier run left", metadata: [
            "rows": "\(rows.count)",
        ])
        let result = Mutex<Result<Set<UInt64>, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let kafka = settings.kafka
        startThread(named: "outbox-read-back") {
            let found = Result { try OutboxReadBack.delivered(rows, configuration: kafka, timeout: .seconds(12)) }
            result.withLock { $0 = found }
            done.signal()
        }
        let deadline = ContinuousClock.now + .seconds(15)
        while !stopping && ContinuousClock.now < deadline {
            guard done.wait(timeout: .now() + .milliseconds(100)) == .success else { continue }
            switch result.withLock({ $0 }) {
            case .success(let found)?: return found
            case .failure(let error)?:
                logger.info("could not read back the output topics; sending the outbox again whole", metadata: ["error": "\(error)"])
                return []
            case nil: return []
            }
        }
        logger.info("reading back the output topics took too long; sending the outbox again whole")
        return []
    }

    /// Moves outbox rows that cannot be read out of the way, says so and counts them (`welfare_outbox_set_aside_total`);
    /// a store fault leaves them in place for the next attempt.
    private func setAside(_ seqs: [Int64]) {
        guard !seqs.isEmpty else { return }
        do {
            try store.setAside(seqs)
            metrics.recordOutboxSetAside(seqs.count)
            logger.error("outbox rows that cannot be read were set aside in runtime_outbox_set_aside; nothing else is held up", metadata: [
                "rows": "\(seqs)",
            ])
        } catch {
            logger.warning("cannot set corrupt outbox rows aside yet", metadata: ["rows": "\(seqs)", "error": "\(error)"])
        }
    }

    /// Reads the metadata of the topics the worker produces to before it consumes anything. librdkafka
    /// otherwise asks for it only with the first message to each topic, and the first notifications would
    /// wait for it while consumption paused on the outbox backlog. Not reachable yet (a broker down at
    /// start): librdkafka asks again with the first message.
    private func learnOutputTopics(_ producer: Producer) {
        for topic in [settings.notificationsTopic, settings.deadLetterTopic] where !stopping {
            do {
                _ = try producer.partitionCount(topic: topic, timeout: .seconds(2))
            } catch {
                logger.warning("cannot read the metadata of an output topic yet; going on", metadata: ["topic": "\(topic)", "error": "\(error)"])
                return
            }
        }
    }

    // MARK: - Partitions

    /// Direct mode: every partition of the input topic, from the offsets in the store.
    private func assignAllPartitions(_ consumer: Consumer) {
        var retry = RetryPolicy(initialDelay: settings.retryInitialDelay, maximumDelay: .seconds(5))
        while !stopping {
            do {
                let count = try consumer.partitionCount(topic: settings.inputTopic, timeout: .seconds(2))
                let partitions = (0..<count).map { TopicPartition(settings.inputTopic, Int32($0)) }
                try store.takeOwnership(of: partitions)
                let starts = try startOffsets(for: partitions)
                planAfterDeath(in: partitions)
                try consumer.assign(starts)
                assigned = Set(partitions)
                health.assigned(assigned.count)
                board?.setAssigned(assigned.map(\.partition))
                logger.info("reading partitions from the offsets in the store", metadata: ["topic": "\(settings.inputTopic)", "partitions": "\(count)"])
                return
            } catch {
                let delay = retry.nextDelay()
                health.stuck("cannot assign \(settings.inputTopic): \(error)", storeFault: false)
                logger.warning("cannot assign the input topic yet; retrying", metadata: ["topic": "\(settings.inputTopic)", "error": "\(error)"])
                let deadline = ContinuousClock.now + delay
                while ContinuousClock.now < deadline && !stopping { usleep(20_000) }
            }
        }
    }

    /// Shows the partitions this instance owns in a shared store and their epochs (`/metrics`, `/status`).
    private func publishOwnership() {
        let owned = store.ownedPartitions
        guard !owned.isEmpty || settings.assignment == .group else { return }
        metrics.setOwnership(Dictionary(owned.map { ($0.key.partition, $0.value) }, uniquingKeysWith: max))
    }

    /// Where each partition starts: the offset kept in the store, else the beginning.
    func startOffsets(for partitions: [TopicPartition]) throws -> [TopicPartition: StartOffset] {
        let stored = try store.nextOffsets(topic: settings.inputTopic)
        return Dictionary(uniqueKeysWithValues: partitions.map { partition in
            (partition, stored[partition.partition].map(StartOffset.offset) ?? .beginning)
        })
    }

    /// Group mode: start at the store's offsets on assign; commit the batch in hand before a revoke.
    private func rebalanceListener() -> RebalanceListener {
        RebalanceListener(
            onAssign: { [unowned self] partitions in
                assigned.formUnion(partitions)
                health.assigned(assigned.count)
                board?.setAssigned(assigned.map(\.partition))
                logger.info("partitions assigned", metadata: ["partitions": "\(partitions.map(\.partition))"])
                var retry = RetryPolicy(initialDelay: settings.retryInitialDelay, maximumDelay: .seconds(5))
                while !stopping {
                    do {
                        try store.takeOwnership(of: partitions)
                        publishOwnership()
                        // A shared store's rows left by the partitions' earlier owner are this instance's now.
                        outboxToResend = !store.ownedPartitions.isEmpty
                        let starts = try startOffsets(for: partitions)
                        planAfterDeath(in: partitions)
                        return starts
                    } catch {
                        logger.warning("cannot read stored offsets; retrying", metadata: ["error": "\(error)"])
                        let deadline = ContinuousClock.now + retry.nextDelay()
                        while ContinuousClock.now < deadline && !stopping { usleep(20_000) }
                    }
                }
                // Stopping before the store told where to start: nothing read from these partitions may be
                // committed (it could start before the store's offsets); the next run reads them again.
                assignmentAbandoned = true
                return [:]
            },
            onRevoke: { [unowned self] partitions, inFlight, lost in
                if let producer { sendCommitted(consumer, producer) }
                let revoked = Set(partitions)
                // Messages still to be narrowed down after a death are not committed in one batch here: that
                // batch could kill the process again. Their next owner reads the marker for itself.
                let narrowing = dropCrashSteps(of: revoked)
                carried += inFlight
                let mine = carried.filter { revoked.contains($0.topicPartition) && !narrowing.contains($0.partition) }
                carried.removeAll { revoked.contains($0.topicPartition) }
                if !mine.isEmpty && !lost {
                    do {
                        let result = try commit(mine, deleting: [])
                        if let producer { send(result.outbox, producer) }
                    } catch {
                        // Not committed, so the store's offsets still point before these messages:
                        // whoever reads the partitions next reads them again.
                        logger.warning("could not commit the batch in hand before a revoke", metadata: ["error": "\(error)"])
                    }
                }
                // librdkafka keeps a partition's pause across a revoke: one paused here would come back paused
                // with a later assignment and never be read. Resume it as it goes.
                if paused { try? consumer?.resume(partitions) }
                assigned.subtract(partitions)
                if assigned.isEmpty && paused {
                    paused = false
                    board?.setPaused(false)
                }
                store.releaseOwnership(of: partitions)
                publishOwnership()
                health.assigned(assigned.count)
                board?.setAssigned(assigned.map(\.partition))
                logger.info("partitions revoked", metadata: ["partitions": "\(partitions.map(\.partition))", "lost": "\(lost)"])
            })
    }

    func pollInto(_ consumer: Consumer, maxWait: Duration, upTo limit: Int? = nil) {
        do {
            let wanted = max(1, (limit ?? settings.batchMaxMessages) - carried.count)
            let messages = try consumer.poll(maxMessages: wanted, maxWait: maxWait)
            if !messages.isEmpty { brokerWatch.reachable() }
            carried += messages
            // librdkafka 2.0.2 may have stopped fetching when its queue filled and look again only up to a
            // second later: if the queue ran dry right after a full poll, wake its fetchers now.
            if messages.count < wanted && lastPollFilled && !assigned.isEmpty {
                consumer.wakeFetchers(of: assigned)
                metrics.recordFetchWakeUp()
            }
            lastPollFilled = messages.count >= wanted
            health.polled()
        } catch {
            logger.error("Kafka consumer failed", metadata: ["error": "\(error)"])
            health.stuck("Kafka consumer failed: \(error)", storeFault: false)
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    /// While the cluster is out of reach: probe it once a second, warn once it has been too long, and show
    /// it in the health report and the metrics.
    private func watchBroker(_ consumer: Consumer) {
        // A metadata request honours its time-out with every broker down (a watermark query may not).
        if brokerWatch.tick(), (try? consumer.partitionCount(topic: settings.inputTopic, timeout: .milliseconds(500))) != nil {
            brokerWatch.reachable()
        }
        let unreachable = brokerWatch.unreachableFor
        health.broker(unreachableFor: unreachable, overdue: brokerWatch.overdue)
        metrics.setBrokerUnreachable(unreachable)
    }

    /// Waits out a backoff while still serving the consumer (rebalances, heartbeats).
    private func waitServingKafka(_ consumer: Consumer, for delay: Duration) {
        let deadline = ContinuousClock.now + delay
        while ContinuousClock.now < deadline && !stopping {
            pollInto(consumer, maxWait: min(.milliseconds(100), ContinuousClock.now.duration(to: deadline)))
        }
    }

    private func pauseAssigned(_ consumer: Consumer, reason: String) {
        guard !paused, !assigned.isEmpty else { return }
        do {
            try consumer.pause(Array(assigned))
            paused = true
            board?.setPaused(true)
            logger.info("consumption paused", metadata: ["reason": "\(reason)"])
        } catch {
            logger.warning("cannot pause partitions", metadata: ["error": "\(error)"])
        }
    }

    private func resumeAssigned(_ consumer: Consumer) {
        guard paused else { return }
        do {
            try consumer.resume(Array(assigned))
            paused = false
            board?.setPaused(false)
            logger.info("consumption resumed")
        } catch {
            logger.warning("cannot resume partitions", metadata: ["error": "\(error)"])
        }
    }

    /// Lag per partition (high watermark − stored offset), at most once a second, from cached watermarks.
    func updateLag(_ consumer: Consumer) {
        guard ContinuousClock.now - lastLagUpdate >= .seconds(1) else { return }
        lastLagUpdate = .now
        guard let stored = try? store.nextOffsets(topic: settings.inputTopic) else { return }
        for partition in assigned {
            guard let marks = consumer.cachedWatermarks(partition) else { continue }
            metrics.setLag(partition: partition.partition, lag: marks.high - (stored[partition.partition] ?? marks.low))
            board?.setOffsets(partition: partition.partition, next: stored[partition.partition] ?? marks.low, high: marks.high)
        }
    }

    // MARK: - Shutdown

    private func shutDown(_ consumer: Consumer, _ producer: Producer) {
        logger.info("stopping: committing the batch in hand and delivering notifications")
        // A stop finishes within about 12 s whatever is down (a supervisor waits 15 s before it kills).
        let began = ContinuousClock.now
        sendCommitted(consumer, producer)
        if assignmentAbandoned { carried = [] }
        if !carried.isEmpty {
            // One last attempt; if the store still refuses, the offsets in it make the next run read them again.
            if let result = try? commit(carried, deleting: deliveries.takeConfirmed()) {
                send(result.outbox, producer)
                carried = []
            }
        }
        let deadline = min(ContinuousClock.now + settings.shutdownDeliveryTimeout, began + .seconds(9))
        while deliveries.inFlight > 0 && ContinuousClock.now < deadline { usleep(5_000) }
        let confirmed = deliveries.takeConfirmed()
        _ = try? store.deleteDelivered(confirmed)
        let undelivered = deliveries.inFlight
        if undelivered > 0 {
            logger.warning("stopping with notifications not yet confirmed; they stay in the outbox and go out on the next start",
                           metadata: ["count": "\(undelivered)"])
        }
        consumer.close(timeout: max(.seconds(1), began + .seconds(11) - ContinuousClock.now))
        producer.close(flushTimeout: .zero)
        logger.info("stopped")
    }
}
