import Foundation
import Kafka

/// A tally worker as a child process, pointed at a broker running in the test process.
public func startTallyWorker(broker: EmbeddedBroker, store: String, environment: [String: String] = [:]) throws -> ChildProcess {
    try ChildProcess(
        TestPaths.executable("welfare-tally-worker"), ["--bootstrap-servers", broker.bootstrapServers, "--store", store],
        environment: ["WELFARE_LOG_LEVEL": "info", "WELFARE_KAFKA_RECONNECT_BACKOFF_MS": "50"].merging(environment) { $1 })
}

/// An embedded broker with the tally worker's topics.
public func tallyBroker(partitions: Int = 4) throws -> EmbeddedBroker {
    let broker = try EmbeddedBroker()
    try broker.createTopic("welfare.tally", partitions: partitions)
    try broker.createTopic("welfare.tally.dlq", partitions: 3)
    try broker.createTopic("welfare.notifications", partitions: 12)
    return broker
}

/// A fresh temporary folder for one test's store.
public func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("welfare-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Polls a condition until it holds (or `timeout` passes).
public func eventuallyTrue(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(25))
    }
    return try await condition()
}

/// `welfare-broker` in a process of its own with the tally worker's topics: for runs with a backlog larger
/// than the broker in the test process serves well. Stopped when released.
public final class TallyBrokerProcess: @unchecked Sendable {
    public let bootstrapServers: String
    private let process: ChildProcess
    private let directory: URL

    public init(partitions: Int = 4) throws {
        directory = try temporaryDirectory()
        let catalogue = directory.appendingPathComponent("catalogue.yaml")
        try """
            replication_factor: 1
            min_insync_replicas: 1
            topics:
              - {name: welfare.tally, role: input, partitions: \(partitions), key: tally_id, retention_days: 1, dead_letter_topic: welfare.tally.dlq}
              - {name: welfare.tally.dlq, role: dead-letter, partitions: 3, key: tally_id, retention_days: 1}
              - {name: welfare.notifications, role: notifications, partitions: 12, key: recipient, retention_days: 1}
            """.write(to: catalogue, atomically: false, encoding: .utf8)
        let addressFile = directory.appendingPathComponent("broker.address")
        process = try ChildProcess(TestPaths.executable("welfare-broker"), ["--catalogue", catalogue.path, "--address-file", addressFile.path])
        var address = ""
        let deadline = Date().addingTimeInterval(30)
        while address.isEmpty && Date() < deadline {
            address = (try? String(contentsOf: addressFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if address.isEmpty { usleep(20_000) }
        }
        guard !address.isEmpty else { throw TestFailure("welfare-broker did not start: \(process.standardError)") }
        bootstrapServers = address
    }

    deinit {
        process.signal(SIGTERM)
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A tally worker as a child process, pointed at a broker with this address.
public func startTallyWorker(bootstrapServers: String, store: String, environment: [String: String] = [:]) throws -> ChildProcess {
    try ChildProcess(
        TestPaths.executable("welfare-tally-worker"), ["--bootstrap-servers", bootstrapServers, "--store", store],
        environment: ["WELFARE_LOG_LEVEL": "info", "WELFARE_KAFKA_RECONNECT_BACKOFF_MS": "50"].merging(environment) { $1 })
}
