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
