import Foundation
import Kafka
import Testing

@Suite("pause and resume")
struct PauseResumeTests {
    @Test("a paused partition delivers nothing until resumed while the others keep flowing")
    func pauseStopsExactlyThePausedPartitions() async throws {
        let broker = try makeBroker(["t": 2])
        let producer = try Producer(configuration: producerConfiguration(broker))
        defer { producer.close() }
        let consumer = try Consumer(configuration: consumerConfiguration(broker, group: "g"))
        defer { consumer.close() }
        let p0 = TopicPartition("t", 0)
        let p1 = TopicPartition("t", 1)
        try consumer.assign([p0: .beginning, p1: .beginning])
        try consumer.pause([p0])
        for index in 0..<10 {
            try producer.send(ProducerRecord(topic: "t", partition: 0, key: nil, value: bytes("zero-\(index)")))
            try producer.send(ProducerRecord(topic: "t", partition: 1, key: nil, value: bytes("one-\(index)")))
        }
        #expect(try await onDedicatedThread { producer.flush(timeout: .seconds(10)) })

        let whilePaused = try await drain(consumer, count: 10, timeout: .seconds(10))
        #expect(whilePaused.count == 10)
        #expect(whilePaused.allSatisfy { $0.partition == 1 })
        // Give the paused partition time to (wrongly) deliver before resuming.
        let stillPaused = try await collect(consumer, for: .milliseconds(500))
        #expect(stillPaused.isEmpty)

        try consumer.resume([p0])
        let afterResume = try await drain(consumer, count: 10, timeout: .seconds(10))
        #expect(afterResume.count == 10)
        #expect(afterResume.allSatisfy { $0.partition == 0 })
        #expect(afterResume.map(\.offset) == Array(0..<10))
    }
}
