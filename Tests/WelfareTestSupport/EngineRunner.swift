import Foundation
import GRDB
import Kafka
import Logging
import WorkerRuntime

/// A domain's worker engine running in the test process against a broker and a store of the test's own,
/// on either engine.
public final class EngineRunner<Domain: DomainHandler>: @unchecked Sendable {
    public let engine: WorkerEngine<Domain>
    public let store: TestStore

    public static var quiet: Logger { Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }) }

    public init(domain: Domain, bootstrap: String, inputTopic: String, notificationsTopic: String, directory: URL, storeEngine: StoreEngine = .sqlite,
                configure: (inout RuntimeSettings) -> Void = { _ in }) throws {
        store = try TestStore(engine: storeEngine, domain: domain, directory: directory)
        var settings = RuntimeSettings(
            workerName: domain.workerName, inputTopic: inputTopic, deadLetterTopic: inputTopic + ".dlq",
            notificationsTopic: notificationsTopic, kafka: KafkaConfiguration(["bootstrap.servers": bootstrap, "group.id": "test-\(UUID().uuidString)"]))
        settings.batchMaxWait = .milliseconds(20)
        configure(&settings)
        engine = WorkerEngine(settings: settings, handler: domain, store: store.runtime, metrics: WorkerMetrics(worker: domain.workerName),
                              health: HealthState(), logger: Self.quiet)
    }

    /// Runs until `count` messages are finished (offsets saved past them) and the outbox is empty, then stops.
    public func runUntilProcessed(_ count: Int, timeout: Duration = .seconds(120)) async throws -> Bool {
        engine.start()
        let deadline = ContinuousClock.now + timeout
        var done = false
        while !done && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            done = try store.finishedMessages() >= count && (try store.integer("SELECT COUNT(*) FROM runtime_outbox") ?? 0) == 0
        }
        engine.requestStop()
        let engine = self.engine
        _ = try await onDedicatedThread { engine.waitUntilStopped(timeout: .seconds(30)) }
        return done
    }

    /// The first column of every row of a query, as plain text.
    public func strings(_ sql: String) async throws -> [String] {
        try store.strings(sql)
    }

    /// Every row of a query, each as text, for comparing two stores.
    public func dump(_ sql: String) async throws -> [String] {
        try store.dump(sql)
    }
}

/// Publishes messages (key, value) and waits for the broker to acknowledge them all.
public func publish(_ messages: [(key: String, value: [UInt8])], topic: String, bootstrap: String) async throws {
    let producer = try Producer(configuration: KafkaConfiguration(["bootstrap.servers": bootstrap, "linger.ms": "5"]),
                                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    defer { producer.close() }
    for message in messages {
        try sendWaitingForRoom(producer, ProducerRecord(topic: topic, key: Array(message.key.utf8), value: message.value))
    }
    let flushed = try await onDedicatedThread { producer.flush(timeout: .seconds(60)) }
    if !flushed { throw KafkaError.client("publishing did not finish") }
}

/// Enqueues a record; when librdkafka's queue is full (100,000 messages), waits for the broker to take some.
private func sendWaitingForRoom(_ producer: Producer, _ record: ProducerRecord) throws {
    while true {
        do {
            try producer.send(record)
            return
        } catch {
            guard error.isRetriable else { throw error }
            usleep(5_000)
        }
    }
}

/// Reads a topic from the beginning up to its high watermarks, waiting (up to `timeout`) until the topic
/// holds at least `count` messages; repeats delivered after a crash cannot make it stop early.
public func readAll(_ topic: String, partitions: Int, bootstrap: String, atLeast count: Int = 0,
                    timeout: Duration = .seconds(60)) async throws -> [ConsumedMessage] {
    let consumer = try Consumer(configuration: KafkaConfiguration(["bootstrap.servers": bootstrap, "group.id": "reader-\(UUID().uuidString)"]),
                                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    defer { consumer.close(timeout: .seconds(5)) }
    let all = (0..<partitions).map { TopicPartition(topic, Int32($0)) }
    try consumer.assign(Dictionary(uniqueKeysWithValues: all.map { ($0, StartOffset.beginning) }))
    return try await onDedicatedThread { () throws(KafkaError) -> [ConsumedMessage] in
        var received: [ConsumedMessage] = []
        var next: [TopicPartition: Int64] = [:]
        var highs: [TopicPartition: Int64] = [:]
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if highs.isEmpty || highs.values.reduce(0, +) < Int64(count) {
                for partition in all { highs[partition] = try consumer.queryWatermarks(partition, timeout: .seconds(5)).high }
            }
            let enough = highs.values.reduce(0, +) >= Int64(count)
            if enough && all.allSatisfy({ next[$0, default: 0] >= highs[$0, default: 0] }) { break }
            for message in try consumer.poll(maxMessages: 5_000, maxWait: .milliseconds(100)) {
                received.append(message)
                next[message.topicPartition] = message.offset + 1
            }
        }
        return received
    }
}
