import Foundation
import GRDB
import Kafka
import Logging
import Synchronization
import TallyDomain
import WelfareTestSupport
import WorkerRuntime

/// One CloudEvent of the tally domain as message bytes.
func tallyEvent(id: String, type: String = "tally.added.v1", tally: String, time: String = "2026-05-10T09:00:00+08:00",
                data: [String: String]? = nil, entry: String? = nil, amount: Int = 10, source: String = "/test/source") -> [UInt8] {
    let dataJSON: String
    if let data {
        dataJSON = "{" + data.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    } else if type == "tally.reset.v1" {
        dataJSON = "{\"tally_id\":\"\(tally)\",\"reason\":\"test\"}"
    } else {
        dataJSON = "{\"tally_id\":\"\(tally)\",\"entry_id\":\"\(entry ?? "E-" + id)\",\"amount\":\(amount)}"
    }
    return Array("{\"specversion\":\"1.0\",\"id\":\"\(id)\",\"source\":\"\(source)\",\"type\":\"\(type)\",\"time\":\"\(time)\",\"subject\":\"\(tally)\",\"datacontenttype\":\"application/json\",\"data\":\(dataJSON)}".utf8)
}

/// A tally worker running in this process on its own embedded broker and temporary store.
final class InProcessWorker: @unchecked Sendable {
    let broker: EmbeddedBroker
    let directory: URL
    let storePath: String
    let engine: WorkerEngine<TallyDomain>
    let store: SQLiteStore
    let producer: Producer
    let settings: RuntimeSettings
    static let quiet = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })

    init(partitions: Int = 3, configure: (inout RuntimeSettings) -> Void = { _ in }) throws {
        broker = try EmbeddedBroker()
        try broker.createTopic("welfare.tally", partitions: partitions)
        try broker.createTopic("welfare.tally.dlq", partitions: 3)
        try broker.createTopic("welfare.notifications", partitions: 12)
        directory = try temporaryDirectory()
        storePath = directory.appendingPathComponent("tally.sqlite").path
        var settings = RuntimeSettings(
            workerName: "tally", inputTopic: "welfare.tally", deadLetterTopic: "welfare.tally.dlq",
            notificationsTopic: "welfare.notifications",
            kafka: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "group.id": "welfare-tally",
                                       "reconnect.backoff.ms": "50", "reconnect.backoff.max.ms": "500"]))
        settings.batchMaxWait = .milliseconds(20)
        settings.retryInitialDelay = .milliseconds(50)
        settings.retryMaxDelay = .milliseconds(500)
        configure(&settings)
        self.settings = settings
        let domain = TallyDomain()
        store = try SQLiteStore(path: storePath, busyTimeout: .milliseconds(100), for: domain)
        engine = WorkerEngine(settings: settings, handler: domain, store: store, metrics: WorkerMetrics(worker: "tally"),
                              health: HealthState(), logger: InProcessWorker.quiet)
        producer = try Producer(configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "linger.ms": "1"]),
                                logger: InProcessWorker.quiet)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func start() { engine.start() }

    /// Stops the engine (the test's own producer stays usable).
    func stop() async throws {
        engine.requestStop()
        _ = try await onDedicatedThread { [engine] in engine.waitUntilStopped(timeout: .seconds(30)) }
    }

    /// Publishes raw values keyed by `key` and waits for the broker to acknowledge them.
    func publish(_ messages: [(key: String?, value: [UInt8]?)]) async throws {
        try await publish(records: messages.map { ProducerRecord(topic: "welfare.tally", key: $0.key.map { Array($0.utf8) }, value: $0.value) })
    }

    /// Publishes records as given (headers included) and waits for the broker to acknowledge them.
    func publish(records: [ProducerRecord]) async throws {
        for record in records { try producer.send(record) }
        let producer = self.producer
        let flushed = try await onDedicatedThread { producer.flush(timeout: .seconds(30)) }
        guard flushed else { throw TestFailure("publishing timed out") }
    }

    /// Waits until the store has finished `count` messages (offsets saved past them).
    func waitForOutcomes(_ count: Int, timeout: Duration = .seconds(60)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await processedCount() >= count { return true }
            try await Task.sleep(for: .milliseconds(25))
        }
        return try await processedCount() >= count
    }

    func processedCount() async throws -> Int {
        try await store.queue.read { try processedMessageCount($0) }
    }

    func outcomeCount() async throws -> Int {
        try await store.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_message_outcomes") ?? 0 }
    }

    /// Every outcome row, by input position.
    func outcomes() async throws -> [OutcomeRow] {
        try await store.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM runtime_message_outcomes ORDER BY partition, offset").map {
                OutcomeRow(partition: $0["partition"], offset: $0["offset"], eventID: $0["event_id"], outcome: $0["outcome"],
                           reasonCode: $0["reason_code"], detail: $0["detail"])
            }
        }
    }

    func outboxCount() async throws -> Int {
        try await store.queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_outbox") ?? 0 }
    }

    /// Reads every message of a topic from the beginning (until `count` arrived or the timeout).
    func read(topic: String, partitions: Int, count: Int, timeout: Duration = .seconds(30)) async throws -> [ConsumedMessage] {
        try await readTopic(broker.bootstrapServers, topic: topic, partitions: partitions, count: count, timeout: timeout)
    }
}

func readTopic(_ bootstrap: String, topic: String, partitions: Int, count: Int, timeout: Duration = .seconds(30)) async throws -> [ConsumedMessage] {
    try await readAll(topic, partitions: partitions, bootstrap: bootstrap, atLeast: count, timeout: timeout)
}

/// One row of `runtime_message_outcomes`.
struct OutcomeRow: Sendable {
    let partition: Int32
    let offset: Int64
    let eventID: String?
    let outcome: String
    let reasonCode: String?
    let detail: String?
}

/// Parses a notification or event value into a JSON object.
func jsonObject(_ bytes: [UInt8]?) -> JSONObject? {
    guard let bytes, case .object(let object)? = try? JSONParser.parse(bytes) else { return nil }
    return object
}
