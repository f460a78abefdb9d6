import Foundation
import Synchronization
import Kafka
import Testing

@Suite("producer and consumer round trips")
struct ProducerConsumerTests {
    @Test("a message keeps its key, headers and value, and its delivery report names where it went")
    func roundTripWithKeysAndHeaders() async throws {
        let broker = try makeBroker(["t": 3])
        let log = DeliveryLog()
        let producer = try Producer(configuration: producerConfiguration(broker), onDelivery: log.record)
        defer { producer.close() }
        try producer.send(
            ProducerRecord(topic: "t", key: bytes("volunteer-1"), value: bytes("{\"a\":1}"),
                           headers: [KafkaHeader("trace", "abc"), KafkaHeader(name: "empty", value: nil)]),
            token: 42)
        #expect(await eventually { log.all.count == 1 })
        let report = try #require(log.all.first)
        #expect(report.token == 42)
        #expect(report.topic == "t")
        let (partition, offset) = try report.result.get()
        #expect(offset == 0)

        let consumer = try Consumer(configuration: consumerConfiguration(broker, group: "g"))
        defer { consumer.close() }
        try consumer.assign([TopicPartition("t", partition): .beginning])
        let messages = try await drain(consumer, count: 1)
        let message = try #require(messages.first)
        #expect(string(message.key) == "volunteer-1")
        #expect(string(message.value) == "{\"a\":1}")
        #expect(message.header("trace")?.text == "abc")
        #expect(message.header("empty") != nil && message.header("empty")?.value == nil)
        #expect(message.partition == partition && message.offset == 0)
    }

    @Test("a producer reads a topic's partition count from the cluster before it sends anything")
    func producerReadsTopicMetadata() async throws {
        let broker = try makeBroker(["notes": 12, "dlq": 3])
        let producer = try Producer(configuration: producerConfiguration(broker))
        defer { producer.close() }
        let counts = try await onDedicatedThread { () throws(KafkaError) in
            [try producer.partitionCount(topic: "notes", timeout: .seconds(10)), try producer.partitionCount(topic: "dlq", timeout: .seconds(10))]
        }
        #expect(counts == [12, 3])
    }

    @Test("awaiting a delivery returns the broker's partition and offset")
    func deliverAwaitsTheReport() async throws {
        let broker = try makeBroker(["t": 1])
        let producer = try Producer(configuration: producerConfiguration(broker))
        defer { producer.close() }
        let first = await producer.deliver(ProducerRecord(topic: "t", key: nil, value: bytes("one")))
        let second = await producer.deliver(ProducerRecord(topic: "t", key: nil, value: bytes("two")))
        #expect(try first.result.get().offset == 0)
        #expect(try second.result.get().offset == 1)
    }

    @Test("a poll with no time to wait still takes the messages already fetched")
    func pollWithoutWaitingTakesWhatIsQueued() async throws {
        let broker = try makeBroker(["t": 1])
        let producer = try Producer(configuration: producerConfiguration(broker))
        defer { producer.close() }
        for index in 0..<20 { _ = await producer.deliver(ProducerRecord(topic: "t", key: nil, value: bytes("m\(index)"))) }
        let consumer = try Consumer(configuration: consumerConfiguration(broker, group: "g"))
        defer { consumer.close() }
        try consumer.assign([TopicPartition("t", 0): .beginning])
        let first = try await onDedicatedThread { () throws(KafkaError) in try consumer.poll(maxMessages: 1, maxWait: .seconds(10)) }
        #expect(first.count == 1)
        // The rest is fetched in the background; once it is queued, a zero-wait poll must return it.
        var rest: [ConsumedMessage] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while first.count + rest.count < 20 && ContinuousClock.now < deadline {
            let taken = try await onDedicatedThread { () throws(KafkaError) in try consumer.poll(maxMessages: 100, maxWait: .zero) }
            rest += taken
            if taken.isEmpty { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(first.count + rest.count == 20)
    }

    @Test("a null key and a null value arrive as nil instead of crashing the consumer")
    func nullKeyAndValue() async throws {
        let broker = try makeBroker(["t": 1])
        let producer = try Producer(configuration: producerConfiguration(broker))
        defer { producer.close() }
        _ = await producer.deliver(ProducerRecord(topic: "t", key: nil, value: nil))
        _ = await producer.deliver(ProducerRecord(topic: "t", key: [], value: []))
        let consumer = try Consumer(configuration: consumerConfiguration(broker, group: "g"))
        defer { consumer.close() }
        try consumer.assign([TopicPartition("t", 0): .beginning])
        let messages = try await drain(consumer, count: 2)
        #expect(messages.count == 2)
        #expect(messages[0].key == nil && messages[0].value == nil)
        #expect(messages[1].value == [])
    }

    @Test("messages with the same key keep their order and land on one partition")
    func orderingPerKey() async throws {
        let broker = try makeBroker(["t": 4])
        let log = DeliveryLog()
        let producer = try Producer(configuration: producerConfiguration(broker), onDelivery: log.record)
        defer { producer.close() }
        let keys = (0..<8).map { "member-\($0)" }
        for sequence in 0..<400 {
            let key = keys[sequence % keys.count]
            try producer.send(ProducerRecord(topic: "t", key: bytes(key), value: bytes("\(key)#\(sequence)")), token: UInt64(sequence))
        }
        #expect(await eventually { log.all.count == 400 })
        #expect(log.succeeded == 400)

        let consumer = try Consumer(configuration: consumerConfiguration(broker, group: "g"))
        defer { consumer.close() }
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<4).map { (TopicPartition("t", Int32($0)), StartOffset.beginning) }))
        let messages = try await drain(consumer, count: 400)
        #expect(messages.count == 400)
        var partitionOfKey: [String: Int32] = [:]
        var lastSequence: [String: Int] = [:]
        var lastOffset: [Int32: Int64] = [:]
        for message in messages {
            let parts = (string(message.value) ?? "").split(separator: "#")
            let key = String(parts[0])
            let sequence = Int(parts[1]) ?? -1
            #expect(partitionOfKey[key, default: message.partition] == message.partition)
            partitionOfKey[key] = message.partition
            #expect(sequence > lastSequence[key, default: -1])
            lastSequence[key] = sequence
            #expect(message.offset > lastOffset[message.partition, default: -1])
            lastOffset[message.partition] = message.offset
        }
    }

    @Test("an unknown librdkafka property fails with a message naming the key")
    func unknownPropertyIsNamed() throws {
        #expect {
            _ = try Producer(configuration: KafkaConfiguration(["bootstrap.servers": "127.0.0.1:1", "no.such.property": "1"]))
        } throws: { error in
            (error as? KafkaError)?.message.contains("no.such.property") == true
        }
    }
}

@Suite("producer shutdown")
struct ProducerCloseRaceTests {
    @Test("closing a producer while other threads enqueue never uses a destroyed handle: sends after close throw, none crash")
    func closeWhileEnqueueing() async throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("race", partitions: 3)
        for _ in 0..<5 {
            let producer = try Producer(configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "linger.ms": "1"]))
            let refused = Atomic<Int>(0)
            let sent = Atomic<Int>(0)
            let group = DispatchGroup()
            for thread in 0..<4 {
                DispatchQueue.global().async(group: group) {
                    for index in 0..<20_000 {
                        do throws(KafkaError) {
                            try producer.send(ProducerRecord(topic: "race", key: Array("k\(thread)".utf8), value: Array("v\(index)".utf8)))
                            sent.wrappingAdd(1, ordering: .relaxed)
                        } catch {
                            if error.message.contains("closed") { refused.wrappingAdd(1, ordering: .relaxed); return }
                        }
                        _ = producer.inFlightCount
                    }
                }
            }
            // Close once every thread is sending (bounded: the machine may be busy).
            let deadline = ContinuousClock.now + .seconds(10)
            while sent.load(ordering: .relaxed) < 1_000 && ContinuousClock.now < deadline { usleep(1_000) }
            producer.close(flushTimeout: .milliseconds(100))
            #expect(group.wait(timeout: .now() + 30) == .success)
            #expect(sent.load(ordering: .relaxed) > 0)
            #expect(refused.load(ordering: .relaxed) > 0, "threads still sending when the producer closed were refused")
        }
    }
}
