import Crypto
import Foundation
import Kafka
import Logging

/// After a crash the outbox still holds messages the cluster may already have (sent, but not yet confirmed
/// and deleted when the process died). Before sending them again, the worker reads back the tail of the
/// output partitions and leaves out every message found there byte for byte (topic, key, value, headers),
/// so that a crash does not turn into thousands of repeated notifications. Anything it cannot read back in
/// time is simply sent again: receivers drop repeats by notification id, and nothing is ever lost.
enum OutboxReadBack {
    /// Messages read back per partition beyond the number waiting in the outbox for that topic (other
    /// workers' messages share the notifications topic). Small on purpose: this runs before the worker
    /// consumes anything, and a message not found is only sent again.
    static let margin = 1_000

    /// The tokens (`OutboxRow.token`) of the rows' messages that the cluster already holds.
    static func delivered(_ rows: [OutboxRow], configuration: KafkaConfiguration, timeout: Duration) throws -> Set<UInt64> {
        var waiting: [[UInt8]: [UInt64]] = [:]
        var perTopic: [String: Int] = [:]
        var count = 0
        for row in rows {
            for (index, record) in row.records.enumerated() {
                waiting[fingerprint(topic: record.topic, key: record.key, value: record.value, headers: record.headers), default: []]
                    .append(OutboxRow.token(seq: row.seq, index: index))
                perTopic[record.topic, default: 0] += 1
                count += 1
            }
        }
        guard count > 0 else { return [] }
        var settings = configuration
        settings["group.id"] = "welfare-outbox-read-back-\(UUID().uuidString)"
        settings["enable.auto.commit"] = "false"
        let consumer = try Consumer(configuration: settings, logger: Logger(label: "welfare.outbox-read-back", factory: { _ in SwiftLogNoOpLogHandler() }))
        defer { _ = consumer.close(timeout: .seconds(2)) }
        let deadline = ContinuousClock.now + timeout
        var ends: [TopicPartition: Int64] = [:]
        var starts: [TopicPartition: StartOffset] = [:]
        for (topic, waitingThere) in perTopic.sorted(by: { $0.key < $1.key }) {
            // A metadata request first: it honours its time-out when no broker answers.
            let partitions = try consumer.partitionCount(topic: topic, timeout: .seconds(2))
            for partition in 0..<partitions {
                let tp = TopicPartition(topic, Int32(partition))
                let marks = try consumer.queryWatermarks(tp, timeout: .seconds(2))
                guard marks.high > marks.low else { continue }
                ends[tp] = marks.high
                starts[tp] = .offset(max(marks.low, marks.high - Int64(waitingThere + margin)))
            }
        }
        guard !starts.isEmpty else { return [] }
        try consumer.assign(starts)
        var found: Set<UInt64> = []
        while !ends.isEmpty && ContinuousClock.now < deadline {
            for message in try consumer.poll(maxMessages: 5_000, maxWait: .milliseconds(100)) {
                if let end = ends[message.topicPartition], message.offset + 1 >= end { ends[message.topicPartition] = nil }
                let key = fingerprint(topic: message.topic, key: message.key, value: message.value, headers: message.headers)
                if var tokens = waiting[key], let token = tokens.popLast() {
                    found.insert(token)
                    waiting[key] = tokens.isEmpty ? nil : tokens
                }
            }
        }
        return found
    }

    /// Names a message by its bytes: length-prefixed topic, key, value and headers under SHA-256.
    static func fingerprint(topic: String, key: [UInt8]?, value: [UInt8]?, headers: [KafkaHeader]) -> [UInt8] {
        var hasher = SHA256()
        hasher.updateFramed(Array(topic.utf8))
        hasher.updateFramed(key)
        hasher.updateFramed(value)
        for header in headers {
            hasher.updateFramed(Array(header.name.utf8))
            hasher.updateFramed(header.value)
        }
        return Array(hasher.finalize().prefix(16))
    }
}
