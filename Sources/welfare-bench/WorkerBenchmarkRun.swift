import Foundation
import GRDB
import WorkerRuntime
import WelfareDomains

/// One end-to-end worker measurement: a broker process, a preloaded input topic, the raw consume rate
/// in the same run, then the worker executable until every message has an outcome and every
/// notification is confirmed.
struct WorkerBenchmarkRun {
    let domain: DomainEntry
    var executable: String { domain.executable }
    var inputTopic: String { domain.inputTopic }
    let partitions: Int
    var environment: [String: String] = [:]
    /// Load the worker's status page once a second while it runs, as an operator's open browser tab would.
    var loadStatusPage = false
    /// A store to run on instead of an empty one (a seeded city-scale store). Its saved offsets are cleared
    /// first: they belong to the topic it was seeded from, and the benchmark's topic is new.
    var existingStore: String?

    func run(messages: [(key: [UInt8], value: [UInt8])]) throws {
        try BenchmarkSupport.withScratchDirectory { directory in
            let (broker, bootstrap) = try BenchmarkSupport.startBroker(
                topics: [(inputTopic, partitions), (inputTopic + ".dlq", 3), ("welfare.notifications", 12)], in: directory)
            defer { broker.terminate(); broker.waitUntilExit() }
            let averageSize = messages.reduce(0) { $0 + $1.value.count } / max(1, messages.count)
            let preload = try BenchmarkSupport.preload(messages, topic: inputTopic, bootstrap: bootstrap)
            print(String(format: "preloaded %d events (~%d bytes) on %d partitions in %.1f s", messages.count, averageSize, partitions, preload))
            let raw = try BenchmarkSupport.rawConsume(topic: inputTopic, partitions: partitions, count: messages.count, bootstrap: bootstrap)
            let store = existingStore ?? directory.appendingPathComponent("store.sqlite").path
            if let existingStore {
                // Migrated to this build's schema first, so that the run measures processing, not an upgrade.
                let migrationStart = ContinuousClock.now
                let migrated = try Self.open(existingStore, domain.makeHandler(environment: environment.merging(domain.developmentSecrets) { old, _ in old }))
                try migrated.queue.write { db in try db.execute(sql: "DELETE FROM runtime_partition_offsets") }
                try migrated.queue.close()
                print(String(format: "on the existing store %@ (%.2f GB), brought to this build's schema in %.1f s", existingStore,
                             Double(StoreSeeder.size(existingStore)) / 1e9, (ContinuousClock.now - migrationStart).seconds))
            }
            let run = try BenchmarkSupport.runWorker(
                executable: executable, bootstrap: bootstrap, store: store,
                expected: messages.count, environment: environment, loadStatusPage: loadStatusPage)
            run.report(events: messages.count, rawRate: Double(messages.count) / raw)
            if existingStore != nil { print(String(format: "store after the run: %.2f GB", Double(StoreSeeder.size(store)) / 1e9)) }
        }
    }

    private static func open<Handler: DomainHandler>(_ path: String, _ handler: Handler) throws -> SQLiteStore {
        try SQLiteStore(path: path, for: handler)
    }
}
