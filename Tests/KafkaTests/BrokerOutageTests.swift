import Foundation
import Kafka
import Testing

@Suite("broker outages")
struct BrokerOutageTests {
    @Test("messages sent while the broker is down are delivered once it is back, and the consumer resumes")
    func producerRetriesAndConsumerResumes() async throws {
        let broker = try makeBroker(["t": 2])
        let log = DeliveryLog()
        let producer = try Producer(
            configuration: producerConfiguration(broker, ["reconnect.backoff.ms": "50", "reconnect.backoff.max.ms": "200"]),
            onDelivery: log.record)
        defer { producer.close() }
        let consumer = try Consumer(configuration: consumerConfiguration(
            broker, group: "g", ["reconnect.backoff.ms": "50", "reconnect.backoff.max.ms": "200"]))
        defer { consumer.close() }
        try consumer.assign([TopicPartition("t", 0): .beginning, TopicPartition("t", 1): .beginning])

        for index in 0..<100 { try producer.send(ProducerRecord(topic: "t", key: bytes("k\(index)"), value: bytes("\(index)"))) }
        #expect(await eventually { log.all.count == 100 })
        let before = try await drain(consumer, count: 100)
        #expect(before.count == 100)

        try broker.setBrokerDown(1)
        for index in 100..<200 { try producer.send(ProducerRecord(topic: "t", key: bytes("k\(index)"), value: bytes("\(index)"))) }
        let duringOutage = try await collect(consumer, for: .seconds(1))
        try broker.setBrokerUp(1)

        #expect(await eventually { log.all.count == 200 })
        #expect(log.succeeded == 200)
        let after = try await drain(consumer, count: 100 - duringOutage.count)
        let values = Set((before + duringOutage + after).compactMap { string($0.value) })
        #expect(values == Set((0..<200).map(String.init)))
        #expect(before.count + duringOutage.count + after.count == 200)
    }
}
