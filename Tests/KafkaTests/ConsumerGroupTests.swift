import Foundation
import Kafka
import Synchronization
import Testing

/// What a rebalance listener was told, in order.
final class RebalanceLog: Sendable {
    enum Entry: Equatable, Sendable {
        case assigned([TopicPartition])
        case revoked([TopicPartition])
    }
    private let entries = Mutex<[Entry]>([])
    private let owned = Mutex<Set<TopicPartition>>([])

    func listener(startAt offset: Int64) -> RebalanceListener {
        RebalanceListener(
            onAssign: { partitions in
                self.entries.withLock { $0.append(.assigned(partitions.sorted())) }
                self.owned.withLock { $0.formUnion(partitions) }
                return Dictionary(uniqueKeysWithValues: partitions.map { ($0, StartOffset.offset(offset)) })
            },
            onRevoke: { partitions, _, _ in
                self.entries.withLock { $0.append(.revoked(partitions.sorted())) }
                self.owned.withLock { $0.subtract(partitions) }
            })
    }

    var all: [Entry] { entries.withLock { $0 } }
    var ownedPartitions: Set<TopicPartition> { owned.withLock { $0 } }
}

@Suite("consumer groups and rebalancing", .timeLimit(.minutes(2)))
struct ConsumerGroupTests {
    @Test("two members split the partitions, the survivor takes all when one leaves, and start offsets from assign are honoured",
          arguments: ["range", "cooperative-sticky"])
    func groupSplitsAndRebalances(strategy: String) async throws {
        let broker = try makeBroker(["t": 4])
        let producer = try Producer(configuration: producerConfiguration(broker))
        defer { producer.close() }
        for partition in 0..<4 {
            for index in 0..<10 {
                try producer.send(ProducerRecord(topic: "t", partition: Int32(partition), key: nil, value: bytes("\(partition)-\(index)")))
            }
        }
        #expect(try await onDedicatedThread { producer.flush(timeout: .seconds(10)) })

        let settings = ["partition.assignment.strategy": strategy]
        let logA = RebalanceLog()
        let logB = RebalanceLog()
        let a = try Consumer(configuration: consumerConfiguration(broker, group: "g-\(strategy)", settings), rebalance: logA.listener(startAt: 5))
        let b = try Consumer(configuration: consumerConfiguration(broker, group: "g-\(strategy)", settings), rebalance: logB.listener(startAt: 5))
        defer { a.close() }
        try a.subscribe(["t"])
        try b.subscribe(["t"])

        let all = Set((0..<4).map { TopicPartition("t", Int32($0)) })
        let threadA = DedicatedThread(name: "test.a")
        let threadB = DedicatedThread(name: "test.b")
        defer { threadA.stop(); threadB.stop() }
        let seenA = Mutex<[ConsumedMessage]>([])
        let seenB = Mutex<[ConsumedMessage]>([])
        // Both members must keep polling for the group to settle.
        let split = { @Sendable in
            logA.ownedPartitions.count == 2 && logB.ownedPartitions.count == 2
                && logA.ownedPartitions.union(logB.ownedPartitions) == all
        }
        let deadline = ContinuousClock.now.advanced(by: .seconds(60))
        let expected = Set((0..<4).flatMap { partition in (5..<10).map { "\(partition)/\($0)" } })
        let seenAll = { @Sendable in
            Set((seenA.withLock { $0 } + seenB.withLock { $0 }).map { "\($0.partition)/\($0.offset)" }) == expected
        }
        while !(split() && seenAll()) && ContinuousClock.now < deadline {
            async let pollA = threadA.run { () throws(KafkaError) in try a.poll(maxMessages: 100, maxWait: .milliseconds(100)) }
            async let pollB = threadB.run { () throws(KafkaError) in try b.poll(maxMessages: 100, maxWait: .milliseconds(100)) }
            let (fromA, fromB) = try await (pollA, pollB)
            seenA.withLock { $0 += fromA }
            seenB.withLock { $0 += fromB }
        }
        #expect(split())
        let consumed = seenA.withLock { $0 } + seenB.withLock { $0 }
        // A member may own partitions before the other joins; after the rebalance they start again at 5.
        #expect(Set(consumed.map { "\($0.partition)/\($0.offset)" }) == expected, "offsets 5–9 of every partition, nothing before")
        #expect(logA.all.contains { if case .assigned = $0 { true } else { false } })

        // B leaves the group; A must end up with all four partitions.
        // Cooperative assignment may have given B its partitions in several steps; closing revokes all it owns.
        let ownedByB = logB.ownedPartitions
        #expect(try await threadB.run { b.close(timeout: .seconds(20)) })
        #expect(logB.all.last == .revoked(ownedByB.sorted()))
        #expect(logB.ownedPartitions.isEmpty)
        let takeover = ContinuousClock.now.advanced(by: .seconds(60))
        while logA.ownedPartitions != all && ContinuousClock.now < takeover {
            _ = try await threadA.run { () throws(KafkaError) in try a.poll(maxMessages: 100, maxWait: .milliseconds(100)) }
        }
        #expect(logA.ownedPartitions == all)
        #expect(try a.assignment() == all.sorted())
    }

    @Test("messages of revoked partitions already taken from librdkafka are handed to onRevoke")
    func inFlightMessagesGoToRevoke() async throws {
        let broker = try makeBroker(["t": 2])
        let producer = try Producer(configuration: producerConfiguration(broker))
        defer { producer.close() }
        for index in 0..<20 {
            try producer.send(ProducerRecord(topic: "t", partition: Int32(index % 2), key: nil, value: bytes("\(index)")))
        }
        #expect(try await onDedicatedThread { producer.flush(timeout: .seconds(10)) })
        let handedOver = Mutex<Int>(0)
        let revoked = Mutex<Bool>(false)
        let consumer = try Consumer(
            configuration: consumerConfiguration(broker, group: "g-inflight"),
            rebalance: RebalanceListener(
                onAssign: { partitions in Dictionary(uniqueKeysWithValues: partitions.map { ($0, .beginning) }) },
                onRevoke: { _, inFlight, _ in
                    handedOver.withLock { $0 += inFlight.count }
                    revoked.withLock { $0 = true }
                }))
        try consumer.subscribe(["t"])
        let consumed = try await drain(consumer, count: 20)
        #expect(consumed.count == 20)
        #expect(try await onDedicatedThread { consumer.close(timeout: .seconds(20)) })
        #expect(revoked.withLock { $0 }, "closing revokes through the listener")
        #expect(handedOver.withLock { $0 } == 0, "nothing was in flight when the batch had been returned")
    }
}
