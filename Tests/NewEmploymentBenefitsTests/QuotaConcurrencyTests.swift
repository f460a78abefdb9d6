import Foundation
import Kafka
import NewEmploymentBenefits
import PostgreSQL
import Synchronization
import Testing
import WelfareTestSupport
import WorkerRuntime

/// Two instances on one PostgreSQL store, each applying its own partition's events at the same time, share
/// one quota: the database serialises the seats and the waiting list, so the quota is never exceeded and
/// promotions follow the waiting list's order.
@Suite("benefit quotas shared by two instances", .timeLimit(.minutes(2)))
struct QuotaConcurrencyTests {
    static let catalogue = BenefitCatalogue(version: "concurrency", benefits: [
        .init(code: "TINY", yearlyLimit: 1, yearlyQuota: 7, minActiveDays: 0, occupations: nil, voucherValidDays: 30),
    ])

    /// One instance: its own store connection and processor, writing the messages of one input partition.
    final class Instance: @unchecked Sendable {
        let store: PostgresStore
        let processor: MessageProcessor<NewEmploymentBenefitsDomain>
        let partition: Int32
        var offset: Int64 = 0

        init(url: String, domain: NewEmploymentBenefitsDomain, partition: Int32) throws {
            store = try PostgresStore(url: url, for: domain)
            processor = MessageProcessor(handler: domain, deadLetterTopic: "dlq", notificationsTopic: "welfare.notifications")
            self.partition = partition
            try store.takeOwnership(of: [TopicPartition("welfare.new-employment-benefits", partition)])
        }

        /// Commits the messages in batches of `batchSize`, trying a batch again after a transient fault (a deadlock).
        func run(_ values: [(key: String, value: [UInt8])], batchSize: Int) throws {
            for start in stride(from: 0, to: values.count, by: batchSize) {
                let batch = values[start..<min(start + batchSize, values.count)].map { message -> ConsumedMessage in
                    defer { offset += 1 }
                    return ConsumedMessage(topic: "welfare.new-employment-benefits", partition: partition, offset: offset, key: Array(message.key.utf8),
                                           value: message.value)
                }
                while true {
                    do {
                        try store.write { transaction in
                            let result = try processor.process(batch, in: transaction)
                            try store.saveNextOffsets(result.nextOffsets, in: transaction)
                        }
                        break
                    } catch where StoreFault.isTransient(error) {
                        continue
                    }
                }
            }
        }
    }

    /// Runs both instances' messages at once, each on a thread of its own, both starting together.
    static func together(_ a: Instance, _ aMessages: [(key: String, value: [UInt8])], _ b: Instance, _ bMessages: [(key: String, value: [UInt8])],
                         batchSize: Int = 5) throws {
        let errors = Mutex<[String]>([])
        let ready = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        for (instance, messages) in [(a, aMessages), (b, bMessages)] {
            let values = messages.map { SendableMessage(key: $0.key, value: $0.value) }
            Thread {
                ready.signal()
                go.wait()
                do { try instance.run(values.map { ($0.key, $0.value) }, batchSize: batchSize) } catch {
                    errors.withLock { $0.append("\(error)") }
                }
                done.signal()
            }.start()
        }
        ready.wait(); ready.wait()
        go.signal(); go.signal()
        done.wait(); done.wait()
        if let first = errors.withLock({ $0.first }) { throw TestFailure(first) }
    }

    struct SendableMessage: Sendable {
        let key: String
        let value: [UInt8]
    }

    /// The last of seven seats is asked for by both instances at once, each in a long batch (the application,
    /// then the worker's activity reports): without the database serialising them, both would see the seat
    /// free and grant it.
    @Test("forty applications from two instances at once for seven seats, then every granted one cancelled: never more than seven seats, promotions in waiting order")
    func sharedQuota() throws {
        let domain = NewEmploymentBenefitsDomain(settings: BenefitSettings(catalogue: Self.catalogue, voucherSecret: BenefitHarness.secret))
        let builder = try BenefitHarness(engine: .sqlite, catalogue: Self.catalogue)
        let url = try TestPostgres.newDatabase()
        let a = try Instance(url: url, domain: domain, partition: 0)
        let b = try Instance(url: url, domain: domain, partition: 1)
        let workers = (1...40).map { "W-\($0)" }
        func registration(_ worker: String, _ index: Int) -> (key: String, value: [UInt8]) {
            let body = "51010719880808" + String(format: "%03d", index)
            return builder.harness.message("newemployment.worker.registered.v1", [
                "worker_id": .string(worker), "name": .string("骑手小刘"), "id_number": .string(body + String(FieldFormats.residentIdentityCheckCharacter(body) ?? "X")),
                "phone": .string("13912345678"), "occupation": .string("delivery_rider"), "platforms": .array([.string("美团")]), "district": .string("武侯区"),
            ], entity: "worker_id", time: "2026-06-30T09:00:00+08:00")
        }
        func application(_ worker: String) -> (key: String, value: [UInt8]) {
            builder.harness.message("newemployment.benefit.applied.v1", ["application_id": .string("A-" + worker), "worker_id": .string(worker),
                                                                         "benefit_code": .string("TINY")], entity: "worker_id", time: "2026-06-30T10:00:00+08:00")
        }
        func cancellation(_ worker: String) -> (key: String, value: [UInt8]) {
            builder.harness.message("newemployment.benefit.cancelled.v1", ["application_id": .string("A-" + worker), "worker_id": .string(worker),
                                                                           "reason": .string("不再需要")], entity: "worker_id", time: "2026-07-01T10:00:00+08:00")
        }
        let first = Array(workers.prefix(20)), second = Array(workers.suffix(20))
        func reports(_ worker: String) -> [(key: String, value: [UInt8])] {
            (1...300).map { day in
                builder.harness.message("newemployment.activity.reported.v1", [
                    "worker_id": .string(worker), "platform": .string("美团"), "day": .string(LocalDate(daysSinceEpoch: 19_000 + day).description),
                    "orders": .integer(5), "online_minutes": .integer(300),
                ], entity: "worker_id", time: "2026-06-30T10:00:00+08:00")
            }
        }
        try Self.together(a, first.enumerated().map { registration($1, $0) }, b, second.enumerated().map { registration($1, 20 + $0) })
        try a.run(first.prefix(6).map(application), batchSize: 1)
        try Self.together(a, [application(first[6])] + reports(first[6]), b, [application(second[0])] + reports(second[0]), batchSize: 1_000)
        try Self.together(a, first.dropFirst(7).map(application), b, second.dropFirst().map(application))

        let check = try PostgresConnection(url: url)
        func count(_ state: String) throws -> Int64 {
            try check.query("SELECT count(*) FROM ne_applications WHERE state = $1", [.text(state)]).integer(0, 0) ?? -1
        }
        #expect(try count("GRANTED") == 7, "exactly the quota granted")
        #expect(try count("WAITLISTED") == 33)
        #expect(try check.query("SELECT taken FROM ne_quota_seats WHERE benefit_code = 'TINY'").integer(0, 0) == 7)
        let waiting = try check.query("SELECT worker_id FROM ne_applications WHERE state = 'WAITLISTED' ORDER BY seq")
        let waitingOrder = (0..<waiting.rowCount).compactMap { waiting.text($0, 0) }

        // Every granted application is cancelled by its own instance, at once: each seat goes to the next in line.
        let granted = try check.query("SELECT worker_id FROM ne_applications WHERE state = 'GRANTED'")
        let holders = Set((0..<granted.rowCount).compactMap { granted.text($0, 0) })
        try Self.together(a, first.filter(holders.contains).map(cancellation), b, second.filter(holders.contains).map(cancellation))
        #expect(try count("CANCELLED") == 7)
        #expect(try count("GRANTED") == 7, "the seats went to the waiting list")
        #expect(try count("WAITLISTED") == 26)
        #expect(try check.query("SELECT taken FROM ne_quota_seats WHERE benefit_code = 'TINY'").integer(0, 0) == 7, "never above the quota")
        let promoted = try check.query("SELECT worker_id FROM ne_applications WHERE state = 'GRANTED'")
        #expect(Set((0..<promoted.rowCount).compactMap { promoted.text($0, 0) }) == Set(waitingOrder.prefix(7)), "the seven first in line were promoted")
    }
}
