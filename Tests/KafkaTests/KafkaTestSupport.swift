import Foundation
import Kafka
import Synchronization

/// A fresh embedded broker with the given topics (name → partitions), one per test.
func makeBroker(_ topics: [String: Int], brokers: Int = 1) throws -> EmbeddedBroker {
    let broker = try EmbeddedBroker(brokerCount: brokers)
    for (name, partitions) in topics { try broker.createTopic(name, partitions: partitions) }
    return broker
}

func producerConfiguration(_ broker: EmbeddedBroker, _ extra: [String: String] = [:]) -> KafkaConfiguration {
    KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "linger.ms": "1"].merging(extra) { $1 })
}

func consumerConfiguration(_ broker: EmbeddedBroker, group: String, _ extra: [String: String] = [:]) -> KafkaConfiguration {
    KafkaConfiguration([
        "bootstrap.servers": broker.bootstrapServers, "group.id": group,
        "session.timeout.ms": "6000", "heartbeat.interval.ms": "500",
        "fetch.wait.max.ms": "50",
    ].merging(extra) { $1 })
}

/// Polls on a thread of its own until `count` messages arrived or `timeout` passed.
func drain(_ consumer: Consumer, count: Int, timeout: Duration = .seconds(30)) async throws -> [ConsumedMessage] {
    try await onDedicatedThread { () throws(KafkaError) -> [ConsumedMessage] in
        var received: [ConsumedMessage] = []
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while received.count < count && ContinuousClock.now < deadline {
            received += try consumer.poll(maxMessages: 500, maxWait: .milliseconds(100))
        }
        return received
    }
}

/// Polls for a while, collecting whatever arrives (used to show that nothing arrives).
func collect(_ consumer: Consumer, for duration: Duration) async throws -> [ConsumedMessage] {
    try await onDedicatedThread { () throws(KafkaError) -> [ConsumedMessage] in
        var received: [ConsumedMessage] = []
        let deadline = ContinuousClock.now.advanced(by: duration)
        while ContinuousClock.now < deadline {
            received += try consumer.poll(maxMessages: 500, maxWait: .milliseconds(50))
        }
        return received
    }
}

/// Delivery reports gathered from a producer's callback.
final class DeliveryLog: Sendable {
    private let reports = Mutex<[DeliveryReport]>([])
    func record(_ report: DeliveryReport) { reports.withLock { $0.append(report) } }
    var all: [DeliveryReport] { reports.withLock { $0 } }
    var succeeded: Int { all.filter { if case .success = $0.result { true } else { false } }.count }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
func string(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

/// Waits (polling the condition, not sleeping blindly) until it holds or the timeout passes.
func eventually(timeout: Duration = .seconds(30), _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
