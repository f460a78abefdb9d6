import Foundation
import Kafka
import Testing

@Suite("waking the consumer's fetchers")
struct FetchWakeUpTests {
    @Test("one watermark query per leader broker: three brokers leading six partitions are reached three times, one broker once")
    func wakeUpReachesEachLeaderOnce() async throws {
        for (brokers, expected) in [(3, 3), (1, 1)] {
            let broker = try makeBroker(["t": 6], brokers: brokers)
            for partition in 0..<6 { try broker.setPartitionLeader(topic: "t", partition: Int32(partition), brokerID: Int32(partition % brokers + 1)) }
            let consumer = try Consumer(configuration: consumerConfiguration(broker, group: "g"))
            defer { consumer.close() }
            let partitions = (0..<6).map { TopicPartition("t", Int32($0)) }
            try consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { ($0, StartOffset.beginning) }))
            let reached = try await onDedicatedThread { consumer.wakeFetchers(of: partitions, timeout: .seconds(5)) }
            #expect(reached == expected, "with \(brokers) broker(s)")
        }
    }

    @Test("a consumer whose tiny prefetch queue keeps filling, woken each time it runs dry, still gets every message once and in order")
    func wakingKeepsEveryMessageInOrder() async throws {
        let broker = try makeBroker(["t": 2])
        let producer = try Producer(configuration: producerConfiguration(broker))
        defer { producer.close() }
        for index in 0..<2_000 {
            try producer.send(ProducerRecord(topic: "t", partition: Int32(index % 2), key: nil, value: bytes(String(repeating: "x", count: 200) + "\(index)")))
        }
        #expect(try await onDedicatedThread { producer.flush(timeout: .seconds(10)) })
        // 1 KiB of prefetch: librdkafka stops fetching after almost every fetch.
        let consumer = try Consumer(configuration: consumerConfiguration(broker, group: "g", ["queued.max.messages.kbytes": "1"]))
        defer { consumer.close() }
        let partitions = [TopicPartition("t", 0), TopicPartition("t", 1)]
        try consumer.assign([partitions[0]: .beginning, partitions[1]: .beginning])
        // Polls of 300 (2,000 is no multiple of it, so at least the last poll comes back short).
        let (received, wakeUps) = try await onDedicatedThread { () throws(KafkaError) -> ([ConsumedMessage], [Int]) in
            var received: [ConsumedMessage] = []
            var wakeUps: [Int] = []
            let deadline = ContinuousClock.now.advanced(by: .seconds(60))
            while received.count < 2_000 && ContinuousClock.now < deadline {
                let batch = try consumer.poll(maxMessages: 300, maxWait: .milliseconds(100))
                received += batch
                if batch.count < 300 { wakeUps.append(consumer.wakeFetchers(of: partitions, timeout: .seconds(5))) }
            }
            return (received, wakeUps)
        }
        #expect(!wakeUps.isEmpty)
        #expect(wakeUps.allSatisfy { $0 == 1 }, "each wake-up reaches the one broker")
        #expect(received.count == 2_000)
        for partition in partitions {
            let offsets = received.filter { $0.partition == partition.partition }.map(\.offset)
            #expect(offsets == Array(0..<1_000), "partition \(partition.partition)")
        }
    }
}
