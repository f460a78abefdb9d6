import ArgumentParser
import Foundation
import GRDB
import Kafka
import Logging
import SampleStreams
import MutualAidClaims
import NewEmploymentBenefits
import VolunteerHours
import WelfareDomains
import WorkerRuntime

/// Makes a city-scale store without pushing years of events through Kafka: generated events go through the
/// domain's own processing (the message processor, the domain's rules and store code) straight into a store,
/// so its rows, indexes and runtime tables are what a worker would have written.
struct SeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Write a city-scale store through a domain's own processing (no Kafka).",
        discussion: """
            volunteer-hours: years of service records over 4 volunteers for every 50 events, UUID ids, business time over the
            five years before 2026. mutual-aid-claims: 26,300 members (M-1000000 on) through two plan years. new-employment-benefits:
            workers (W-1000000 on) registered, then their activity and applications, in the days before 2026. None meets the ids of
            the benchmark streams, so `welfare-bench <domain> --store PATH` measures a worker on top of a seeded store.
            """)

    @Argument(help: "volunteer-hours, mutual-aid-claims or new-employment-benefits.") var domain: String
    @Option(help: "The store to create (must not exist).") var store: String
    @Option(help: "Events to write.") var events = 1_000_000
    @Option(help: "Volunteers, members or workers (default: 4 volunteers for every 50 events; 26,300 members; 1,000,000 workers).") var people: Int?
    @Option(parsing: .upToNextOption, help: "Also copy the store aside as it passes these event counts, as <store>.<count>.") var snapshots: [Int] = []
    @Option(help: "SQLite page cache while seeding, in MiB (seeding is not what is measured).") var cacheMb = 2_048
    @Option(help: "Partitions the events are spread over (by key), as on the input topic.") var partitions = 192

    func run() throws {
        guard !FileManager.default.fileExists(atPath: store) else { throw BenchmarkError("\(store) exists; seeding starts from an empty store") }
        SQLiteStore.tuneSQLiteForThisProcess()
        let seeder = StoreSeeder(path: store, partitions: partitions, cacheMegabytes: cacheMb, snapshots: snapshots)
        switch domain {
        case VolunteerHoursDomain.workerName:
            var stream = CityVolunteerStream(events: events, volunteers: people ?? max(1, events / 50 * 4))
            try seeder.seed(handler: try Self.handler(VolunteerHoursDomain.self), total: events) { stream.next($0) }
        case MutualAidClaimsDomain.workerName:
            var chunks = Chunks(MutualAidClaimsStream(members: people ?? 26_300, seed: 7, faultEvery: 0, firstMember: 1_000_000).messages(count: events))
            try seeder.seed(handler: try Self.handler(MutualAidClaimsDomain.self), total: events) { chunks.next($0) }
        case NewEmploymentBenefitsDomain.workerName:
            let workers = people ?? 1_000_000
            // Days enough for the events, ending before 2026 (the benchmark stream's first day).
            let days = events / max(1, workers) + 1
            let start = LocalDate(year: 2025, month: 12, day: 31).map { $0.adding(days: -days) } ?? LocalDate(daysSinceEpoch: 20_000)
            var chunks = Chunks(NewEmploymentBenefitsStream(workers: workers, seed: 7, voucherSecret: Self.voucherSecret, faultEvery: 0,
                                                            firstWorker: 1_000_000, startDate: start).messages(count: events))
            try seeder.seed(handler: try Self.handler(NewEmploymentBenefitsDomain.self), total: events) { chunks.next($0) }
        default:
            throw ValidationError("unknown domain \(domain): volunteer-hours, mutual-aid-claims or new-employment-benefits")
        }
    }

    /// The benchmarks' secrets (`WorkerBenchmarkRun`), so that the worker measured on the store derives the same codes.
    static let voucherSecret = "benchmark-voucher-secret-0123456"

    /// A domain's handler as its worker builds it from the benchmarks' secrets.
    static func handler<Domain: WorkerDomain>(_ type: Domain.Type) throws -> Domain {
        let environment = ["WELFARE_DOMAIN_CERTIFICATE_SECRET": "benchmark-certificate-secret-0123", "WELFARE_DOMAIN_VOUCHER_SECRET": voucherSecret]
        guard let entry = WelfareDomains.named(Domain.workerName), let handler = try entry.makeHandler(environment: environment) as? Domain else {
            throw BenchmarkError("\(Domain.workerName) is not in the list of domains")
        }
        return handler
    }
}

/// A generated stream handed out a chunk at a time.
struct Chunks {
    private let messages: [SampleMessage]
    private var next = 0

    init(_ messages: [SampleMessage]) { self.messages = messages }

    mutating func next(_ count: Int) -> [SampleMessage] {
        let end = min(messages.count, next + count)
        defer { next = end }
        return Array(messages[next..<end])
    }
}

/// Feeds generated messages through a `MessageProcessor` into a new store, 10,000 to a transaction, with
/// the worker's defaults (90 days of event ids kept) and the benchmarks' identity key.
struct StoreSeeder {
    let path: String
    let partitions: Int
    let cacheMegabytes: Int
    let snapshots: [Int]

    /// The key `welfare-bench` gives the workers it runs, so that they accept the seeded store.
    static let identityKey = "benchmark-identity-key-0123456789abcdef"

    func seed<Handler: WorkerDomain>(handler: Handler, total: Int, next: (Int) -> [SampleMessage]) throws {
        let topic = Handler.defaultInputTopic
        let logger = Logger(label: "welfare.seed", factory: { _ in SwiftLogNoOpLogHandler() })
        guard let key = IdentityKey(Self.identityKey) else { throw BenchmarkError("the benchmark identity key is too short") }
        let opened = try SQLiteWorkerStore(path: path, busyTimeout: .seconds(10), cacheMegabytes: cacheMegabytes, handler: handler, identityKey: key, logger: logger)
        defer { opened.close() }
        let processor = MessageProcessor(handler: handler, deadLetterTopic: topic + ".dlq", notificationsTopic: "welfare.notifications", identityKey: key,
                                         eventIDRetention: .seconds(90 * 86_400))
        var offsets = [Int64](repeating: 0, count: partitions)
        var written = 0
        var pendingSnapshots = snapshots.sorted()
        let start = ContinuousClock.now
        var lastReport = start
        while true {
            let chunk = next(10_000)
            if chunk.isEmpty { break }
            let messages = chunk.map { message -> ConsumedMessage in
                let partition = Int(Self.hash(message.key) % UInt64(partitions))
                defer { offsets[partition] += 1 }
                return ConsumedMessage(topic: topic, partition: Int32(partition), offset: offsets[partition], key: Array(message.key.utf8), value: message.value)
            }
            // Nothing delivers here: the outbox goes as a worker's producer would empty it.
            _ = try opened.store.write { transaction in
                let result = try processor.process(messages, in: transaction)
                try (try transaction.sqlite).execute(sql: "DELETE FROM runtime_outbox")
                return result.outbox.count
            }
            written += messages.count
            if let snapshot = pendingSnapshots.first, written >= snapshot {
                pendingSnapshots.removeFirst()
                try copy(to: "\(path).\(snapshot)", store: opened.store)
                print("copied the store at \(written) events to \(path).\(snapshot)")
            }
            if ContinuousClock.now - lastReport > .seconds(30) {
                lastReport = .now
                let seconds = (ContinuousClock.now - start).seconds
                print(String(format: "%d of %d events, %.0f events/s, %.2f GB", written, total, Double(written) / seconds, Double(Self.size(path)) / 1e9))
            }
        }
        try opened.store.queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        let seconds = (ContinuousClock.now - start).seconds
        let counts = try opened.store.queue.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%' ORDER BY name")
                .map { table in "\(table) \(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"\(table)\"") ?? 0)" }.joined(separator: ", ")
        }
        // The file alone: the WAL keeps its size for reuse (and a reader may hold it while checkpointing).
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
        print(String(format: "seeded %d events in %.0f s (%.0f events/s): %.2f GB, %.0f bytes per event", written, seconds, Double(written) / seconds,
                     Double(bytes) / 1e9, Double(bytes) / Double(max(1, written))))
        print("rows: \(counts)")
    }

    /// A consistent copy, page for page (SQLite's backup), so that it keeps the layout the store grew into. A
    /// copy of the file alone can miss pages a checkpoint has not yet written back from the WAL.
    private func copy(to target: String, store: SQLiteStore) throws {
        try? FileManager.default.removeItem(atPath: target)
        _ = SQLiteStore.createPrivateFile(atPath: target)  // mode 0600, as every store
        let copy = try DatabaseQueue(path: target)
        try store.queue.backup(to: copy)
        try copy.close()
    }

    static func size(_ path: String) -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int64) ?? 0)
        }
    }

    /// FNV-1a of the key: a stable partition per key, as a producer's partitioner gives.
    static func hash(_ key: String) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return value
    }
}
