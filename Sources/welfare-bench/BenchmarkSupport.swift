import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Kafka
import Synchronization
import WorkerRuntime

/// Helpers the benchmarks share: child processes, the broker process, preloading, store polling.
enum BenchmarkSupport {
    /// Runs `body` with a fresh scratch folder, removed afterwards.
    static func withScratchDirectory<Result>(_ body: (URL) throws -> Result) throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("welfare-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try body(directory)
    }

    /// The folder of this executable (the other executables are built next to it).
    static var binDirectory: URL { URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent() }

    /// Starts `welfare-broker` with a catalogue of the given topics and returns it with its address.
    static func startBroker(topics: [(name: String, partitions: Int)], in directory: URL) throws -> (Process, String) {
        var yaml = "replication_factor: 1\nmin_insync_replicas: 1\ntopics:\n"
        for topic in topics {
            yaml += "  - {name: \(topic.name), role: input, partitions: \(topic.partitions), key: id, retention_days: 1}\n"
        }
        let catalogue = directory.appendingPathComponent("catalogue.yaml")
        try yaml.write(to: catalogue, atomically: false, encoding: .utf8)
        let addressFile = directory.appendingPathComponent("broker.address")
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent("welfare-broker")
        process.arguments = ["--catalogue", catalogue.path, "--address-file", addressFile.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let address = try? String(contentsOf: addressFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !address.isEmpty {
                return (process, address)
            }
            usleep(20_000)
        }
        process.terminate()
        throw BenchmarkError("welfare-broker did not start")
    }

    /// Produces the messages as fast as the broker takes them; returns the seconds it took.
    static func preload(_ messages: [(key: [UInt8], value: [UInt8])], topic: String, bootstrap: String) throws -> Double {
        let producer = try Producer(configuration: KafkaConfiguration([
            "bootstrap.servers": bootstrap, "linger.ms": "20", "batch.size": "1000000",
            "queue.buffering.max.messages": "1000000", "queue.buffering.max.kbytes": "1048576",
        ]))
        defer { producer.close() }
        let start = ContinuousClock.now
        for message in messages {
            while true {
                do {
                    try producer.send(ProducerRecord(topic: topic, key: message.key, value: message.value))
                    break
                } catch {
                    guard error.isRetriable else { throw error }
                    usleep(1_000)
                }
            }
        }
        guard producer.flush(timeout: .seconds(300)) else { throw BenchmarkError("preload did not finish") }
        return (ContinuousClock.now - start).seconds
    }

    /// Reads a whole topic with the binding; returns the seconds it took.
    static func rawConsume(topic: String, partitions: Int, count: Int, bootstrap: String) throws -> Double {
        let consumer = try Consumer(configuration: KafkaConfiguration(["bootstrap.servers": bootstrap, "group.id": "bench-raw-\(UUID().uuidString)"]))
        defer { consumer.close() }
        let start = ContinuousClock.now
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<partitions).map { (TopicPartition(topic, Int32($0)), StartOffset.beginning) }))
        var received = 0
        while received < count {
            let batch = try consumer.poll(maxMessages: 2_000, maxWait: .seconds(10))
            if batch.isEmpty {
                // The embedded broker keeps about 5 MB per partition and drops older messages silently.
                throw BenchmarkError("raw consume stalled after \(received) of \(count) messages: the embedded broker keeps about 5 MB per partition "
                                     + "and drops older messages, so load fewer events or use more partitions (--partitions)")
            }
            received += batch.count
        }
        return (ContinuousClock.now - start).seconds
    }

    /// Runs a worker executable on a preloaded topic until every message has an outcome and every
    /// notification is confirmed; measures it from outside.
    static func runWorker(executable: String, bootstrap: String, store: String, expected: Int, environment: [String: String] = [:],
                          loadStatusPage: Bool = false) throws -> WorkerRun {
        let port = 19_000 + Int(getpid() % 1000)
        let pageLoader = loadStatusPage ? StatusPageLoader(address: "http://127.0.0.1:\(port)/status") : nil
        defer { pageLoader?.stop() }
        let process = Process()
        process.executableURL = binDirectory.appendingPathComponent(executable)
        process.arguments = ["--bootstrap-servers", bootstrap, "--store", store]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["WELFARE_LOG_LEVEL": "warning", "WELFARE_HTTP_PORT": String(port), "WELFARE_STORE_IDENTITY_KEY": "benchmark-identity-key-0123456789abcdef"].merging(environment) { $1 }) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.standardError
        let launched = ContinuousClock.now
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var firstOutcome: ContinuousClock.Instant?
        var done: ContinuousClock.Instant?
        var queue: DatabaseQueue?
        var lastCount = 0
        var lastProgress = ContinuousClock.now
        while done == nil {
            usleep(50_000)
            guard process.isRunning else { throw BenchmarkError("\(executable) exited with \(process.terminationStatus)") }
            if queue == nil { queue = try? SQLiteStore.openReadOnly(path: store) }
            // The sum of the stored next offsets (the topic starts at 0): cheap, unlike COUNT(*) over the
            // outcomes, which would steal a core from the worker being measured every 50 ms.
            guard let queue, let (count, outbox) = try? queue.read({ db in
                (try SQLiteStore.finishedMessageCount(db),
                 try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_outbox") ?? 0)
            }) else { continue }
            if count > 0 && firstOutcome == nil { firstOutcome = .now }
            if count != lastCount { lastCount = count; lastProgress = .now }
            if ContinuousClock.now - lastProgress > .seconds(60) { throw BenchmarkError("no progress for 60 s at \(count) outcomes") }
            if count >= expected && outbox == 0 { done = .now }
        }
        let metrics = httpGet("http://127.0.0.1:\(port)/metrics")
        let outcomes = (try? queue?.read { db in
            try Row.fetchAll(db, sql: "SELECT outcome || coalesce(' ' || reason_code, '') AS outcome, COUNT(*) AS n FROM runtime_message_outcomes GROUP BY 1 ORDER BY 1")
                .map { "\($0["outcome"] as String) \($0["n"] as Int)" }.joined(separator: ", ")
        }) ?? ""
        let peak = peakResidentBytes(pid: process.processIdentifier)
        process.terminate()
        process.waitUntilExit()
        return WorkerRun(
            startup: ((firstOutcome ?? launched) - launched).seconds, processing: ((done ?? .now) - (firstOutcome ?? launched)).seconds,
            peakResidentBytes: peak, transactionHistogram: Histogram(prometheusText: metrics, metric: "welfare_transaction_seconds"),
            batchSizeHistogram: Histogram(prometheusText: metrics, metric: "welfare_batch_size_messages"), exitStatus: process.terminationStatus,
            outcomes: outcomes)
    }

    /// Loads a page once a second on a thread of its own until stopped; reports how many loads answered.
    final class StatusPageLoader: Sendable {
        private let stopped = Mutex(false)
        private let answered = Mutex(0)

        init(address: String) {
            let thread = Thread { [self] in
                while !stopped.withLock({ $0 }) {
                    if !BenchmarkSupport.httpGet(address).isEmpty { answered.withLock { $0 += 1 } }
                    Thread.sleep(forTimeInterval: 1)
                }
            }
            thread.start()
        }

        func stop() {
            stopped.withLock { $0 = true }
            print("status page loaded \(answered.withLock { $0 }) times during the run")
        }
    }

    /// A blocking HTTP GET (the benchmark has no async context); empty on failure.
    static func httpGet(_ address: String) -> String {
        guard let url = URL(string: address) else { return "" }
        let done = DispatchSemaphore(value: 0)
        let body = LockedText()
        URLSession.shared.dataTask(with: url) { data, _, _ in
            body.set(data.map { String(decoding: $0, as: UTF8.self) } ?? "")
            done.signal()
        }.resume()
        _ = done.wait(timeout: .now() + 10)
        return body.get()
    }

    /// Runs a program with its standard output discarded and returns its exit status, with no polling.
    static func spawnAndWait(_ path: String, _ arguments: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw BenchmarkError("cannot start \(path): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }

    /// VmHWM of a process, in bytes.
    static func peakResidentBytes(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return (line.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0) * 1024
        }
        return 0
    }
}

/// What one measured worker run gave.
struct WorkerRun {
    let startup: Double
    let processing: Double
    let peakResidentBytes: Int
    let transactionHistogram: Histogram
    let batchSizeHistogram: Histogram
    let exitStatus: Int32
    let outcomes: String

    func report(events: Int, rawRate: Double?) {
        let rate = Double(events) / processing
        print(String(format: "end to end:      %8.0f events/s (%d events in %.2f s after %.2f s start-up)", rate, events, processing, startup))
        if let rawRate { print(String(format: "raw consume:     %8.0f msgs/s; end to end / raw = %.2f", rawRate, rate / rawRate)) }
        print(String(format: "batch (one transaction): p50 %.1f ms, p99 %.1f ms; mean batch %.0f messages",
                     transactionHistogram.quantile(0.5) * 1000, transactionHistogram.quantile(0.99) * 1000, batchSizeHistogram.mean))
        print(String(format: "worker peak RSS: %.0f MB; exit status on SIGTERM: %d", Double(peakResidentBytes) / 1e6, exitStatus))
        print("outcomes: \(outcomes)")
    }
}

/// A Prometheus histogram read back from the text format, for quantile estimates.
struct Histogram {
    var buckets: [(upper: Double, count: Double)] = []
    var sum = 0.0
    var count = 0.0

    init(prometheusText text: String, metric: String) {
        for line in text.split(separator: "\n") where line.hasPrefix(metric) {
            let parts = line.split(separator: " ")
            guard let value = parts.last.flatMap({ Double($0) }) else { continue }
            if line.hasPrefix(metric + "_bucket"), let range = line.range(of: "le=\"") {
                let bound = line[range.upperBound...].prefix { $0 != "\"" }
                buckets.append((bound == "+Inf" ? .infinity : Double(bound) ?? .infinity, value))
            } else if line.hasPrefix(metric + "_sum") {
                sum = value
            } else if line.hasPrefix(metric + "_count") {
                count = value
            }
        }
        buckets.sort { $0.upper < $1.upper }
    }

    var mean: Double { count > 0 ? sum / count : 0 }

    /// Linear interpolation inside the bucket holding the quantile.
    func quantile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let target = q * count
        var lowerBound = 0.0
        var lowerCount = 0.0
        for bucket in buckets {
            if bucket.count >= target {
                if bucket.upper.isInfinite { return lowerBound }
                let span = bucket.count - lowerCount
                return span > 0 ? lowerBound + (bucket.upper - lowerBound) * (target - lowerCount) / span : bucket.upper
            }
            lowerBound = bucket.upper
            lowerCount = bucket.count
        }
        return lowerBound
    }
}

/// A string shared with a callback thread.
final class LockedText: Sendable {
    private let text = Mutex("")
    func set(_ value: String) { text.withLock { $0 = value } }
    func get() -> String { text.withLock { $0 } }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
