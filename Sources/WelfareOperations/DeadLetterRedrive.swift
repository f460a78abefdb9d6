import Foundation
import Kafka
import Logging
import Synchronization

/// Sends dead-lettered messages back to their input topic, once the fault that put them there is fixed:
/// either the original bytes (when the worker or its configuration was at fault) or a corrected version
/// of the event that the producing team supplies, matched by CloudEvent `id`. Blocking; run it from a
/// thread of its own (a command-line tool's main thread).
public struct DeadLetterRedrive: Sendable {
    /// Which dead letters to send back.
    public struct Selection: Sendable {
        public var reasons: Set<String> = []
        public var eventIDs: Set<String> = []
        /// Original input positions as `partition:offset`.
        public var positions: Set<String> = []
        public var all = false

        public init(reasons: Set<String> = [], eventIDs: Set<String> = [], positions: Set<String> = [], all: Bool = false) {
            self.reasons = reasons
            self.eventIDs = eventIDs
            self.positions = positions
            self.all = all
        }

        public var isEmpty: Bool { !all && reasons.isEmpty && eventIDs.isEmpty && positions.isEmpty }

        /// Whether a dead letter is selected.
        public func matches(_ letter: DeadLetterMessage) -> Bool {
            if all { return true }
            if reasons.contains(letter.reason) { return true }
            if let id = letter.eventID, eventIDs.contains(id) { return true }
            return positions.contains("\(letter.originalPartition):\(letter.originalOffset)")
        }
    }

    /// One message of a dead-letter topic with its `dlq-*` headers read.
    public struct DeadLetterMessage: Sendable {
        public let message: ConsumedMessage
        public let reason: String
        public let originalTopic: String
        public let originalPartition: Int
        public let originalOffset: Int64
        public let eventID: String?

        /// The headers the original message carried, in their order: all but the `dlq-*` headers the
        /// worker appended after them.
        public let originalHeaders: [KafkaHeader]

        init?(_ message: ConsumedMessage) {
            // The worker's own headers come last; an original header of the same name comes before them.
            func last(_ name: String) -> String? { message.headers.last { $0.name == name }?.text }
            guard let topic = last("dlq-topic"), let reason = last("dlq-reason"),
                  let partition = last("dlq-partition").flatMap({ Int($0) }),
                  let offset = last("dlq-offset").flatMap({ Int64($0) }) else { return nil }
            self.message = message
            self.reason = reason
            originalTopic = topic
            originalPartition = partition
            originalOffset = offset
            eventID = last("dlq-event-id")
            var kept = message.headers[...]
            while let header = kept.last, header.name.hasPrefix("dlq-") { kept = kept.dropLast() }
            originalHeaders = Array(kept)
        }
    }

    /// What happened to one selected dead letter.
    public struct Resent: Sendable {
        public let letter: DeadLetterMessage
        /// Whether a corrected version was sent instead of the original bytes.
        public let corrected: Bool
    }

    public let configuration: KafkaConfiguration
    public let deadLetterTopic: String

    public init(configuration: KafkaConfiguration, deadLetterTopic: String) {
        self.configuration = configuration
        self.deadLetterTopic = deadLetterTopic
    }

    /// Reads the whole dead-letter topic (from its oldest kept message to its end).
    public func readDeadLetters(timeout: Duration = .seconds(30)) throws -> [DeadLetterMessage] {
        var settings = configuration
        settings["group.id"] = "welfare-dlq-reader-\(UUID().uuidString)"
        let consumer = try Consumer(configuration: settings, logger: Self.quiet)
        defer { _ = consumer.close(timeout: .seconds(5)) }
        let count = try consumer.partitionCount(topic: deadLetterTopic, timeout: .seconds(10))
        let partitions = (0..<count).map { TopicPartition(deadLetterTopic, Int32($0)) }
        var remaining: [TopicPartition: Int64] = [:]
        for partition in partitions {
            let marks = try consumer.queryWatermarks(partition, timeout: .seconds(10))
            if marks.high > marks.low { remaining[partition] = marks.high }
        }
        try consumer.assign(Dictionary(uniqueKeysWithValues: remaining.keys.map { ($0, StartOffset.beginning) }))
        var letters: [DeadLetterMessage] = []
        let deadline = ContinuousClock.now + timeout
        while !remaining.isEmpty {
            guard ContinuousClock.now < deadline else {
                throw OperationsError("reading \(deadLetterTopic) did not reach its end within \(timeout)")
            }
            for message in try consumer.poll(maxMessages: 1_000, maxWait: .milliseconds(200)) {
                if let letter = DeadLetterMessage(message) { letters.append(letter) }
                if let high = remaining[message.topicPartition], message.offset + 1 >= high {
                    remaining[message.topicPartition] = nil
                }
            }
        }
        return letters.sorted { ($0.originalPartition, $0.originalOffset) < ($1.originalPartition, $1.originalOffset) }
    }

    /// Sends the selected dead letters back to their input topic with their original key and headers (in
    /// their order, without the `dlq-*` ones); a corrected version (same CloudEvent `id`) replaces the
    /// original key, value and headers. Each re-sent message carries one more header after those,
    /// `welfare-redriven-from`, naming its dead-letter position. Returns after every message is
    /// acknowledged, or throws.
    public func redrive(_ letters: [DeadLetterMessage], corrections: [PublishableMessage]) throws -> [Resent] {
        var correctionsByID: [String: PublishableMessage] = [:]
        for correction in corrections {
            guard let id = correction.eventID else { throw OperationsError("a corrected message has no CloudEvent id to match a dead letter by") }
            correctionsByID[id] = correction
        }
        let failures = Mutex<[String]>([])
        let producer = try Producer(configuration: configuration.forProducer, logger: Self.quiet, onDelivery: { report in
            if case .failure(let error) = report.result { failures.withLock { $0.append("\(error)") } }
        })
        var resent: [Resent] = []
        for letter in letters {
            let correction = letter.eventID.flatMap { correctionsByID[$0] }
            let key = correction?.key.map { Array($0.utf8) } ?? letter.message.key
            let value = correction?.value ?? letter.message.value
            let headers = correction?.headers ?? letter.originalHeaders
            let origin = "\(letter.message.topic)[\(letter.message.partition)]@\(letter.message.offset)"
            let record = ProducerRecord(topic: letter.originalTopic, key: key, value: value,
                                        headers: headers + [KafkaHeader("welfare-redriven-from", origin)])
            while true {
                do {
                    try producer.send(record)
                    break
                } catch {
                    guard error.isRetriable else { throw error }
                    usleep(1_000)
                }
            }
            resent.append(Resent(letter: letter, corrected: correction != nil))
        }
        let flushed = producer.flush(timeout: .seconds(60))
        producer.close()
        let failed = failures.withLock { $0 }
        guard flushed, failed.isEmpty else {
            throw OperationsError("not every re-driven message was acknowledged: \(failed.first ?? "time-out after 60 s")")
        }
        return resent
    }

    private static var quiet: Logger { Logger(label: "welfare-admin", factory: { _ in SwiftLogNoOpLogHandler() }) }
}
