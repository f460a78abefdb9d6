import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Kafka
import Logging
import SampleStreams
import WelfareDomains
import WorkerRuntime

/// The main job on a laptop: the embedded broker and the three workers as separate processes, a sample
/// day of events for all three topics, live progress, a short report, then a clean stop.
@main
struct WelfareDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "welfare-demo",
        abstract: "Run the broker and the three workers on a generated sample day, show progress and a report, then stop them.")

    @Option(help: "Events per topic.") var events = 2_000
    @Option(help: "Where the demo's stores go (emptied first).") var directory = "var/demo"
    @Option(help: "The topic catalogue.") var catalogue = "topics/catalogue.yaml"

    struct WorkerSpec {
        let entry: DomainEntry
        var name: String { entry.name }
        var topic: String { entry.inputTopic }
        /// The port of the worker's HTTP listener (status page, metrics), free when the demo starts.
        let port: Int = freeLocalPort()

        var statusPage: String { "http://127.0.0.1:\(port)/status" }
    }

    func run() throws {
        let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let workers = WelfareDomains.all.map { WorkerSpec(entry: $0) }
        var children: [Process] = []
        defer { stop(children) }

        // 1. The broker.
        let addressFile = "\(directory)/broker.address"
        let broker = try start(bin.appendingPathComponent("welfare-broker"), ["--catalogue", catalogue, "--address-file", addressFile], log: "\(directory)/broker.log")
        children.append(broker)
        var bootstrap = ""
        for _ in 0..<300 where bootstrap.isEmpty {
            bootstrap = (try? String(contentsOfFile: addressFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if bootstrap.isEmpty { usleep(20_000) }
        }
        guard !bootstrap.isEmpty else { throw DemoError("the embedded broker did not start (see \(directory)/broker.log)") }
        say("embedded Kafka broker at \(bootstrap), topics from \(catalogue)")

        // 2. The workers, each its own process with its own store.
        for worker in workers {
            let process = try start(bin.appendingPathComponent(worker.entry.executable),
                                    (worker.entry.developmentConfig.map { ["--config", $0] } ?? []) + ["--bootstrap-servers", bootstrap, "--store", store(worker)],
                                    environment: worker.entry.developmentSecrets.merging(["WELFARE_HTTP_PORT": String(worker.port), "WELFARE_HTTP_HOST": "127.0.0.1"]) { $1 },
                                    log: "\(directory)/\(worker.name).log")
            children.append(process)
            say("started \(worker.entry.executable) (pid \(process.processIdentifier)), store \(store(worker)), status page \(worker.statusPage)")
        }

        // 3. A sample day for each topic.
        let streams = Dictionary(uniqueKeysWithValues: workers.map { ($0.name, $0.entry.sampleMessages(count: events, seed: 2026, faultEvery: 60)) })
        let producer = try Producer(configuration: KafkaConfiguration(["bootstrap.servers": bootstrap]), logger: Logger(label: "demo", factory: { _ in SwiftLogNoOpLogHandler() }))
        for worker in workers {
            for message in streams[worker.name] ?? [] {
                try producer.send(ProducerRecord(topic: worker.topic, key: Array(message.key.utf8), value: message.value))
            }
        }
        guard producer.flush(timeout: .seconds(60)) else { throw DemoError("publishing the sample day did not finish") }
        producer.close()
        say("published \(events) events to each of \(workers.map(\.topic).joined(separator: ", "))")

        // 4. Progress until every message has an outcome and every notification is delivered.
        let deadline = Date().addingTimeInterval(600)
        while true {
            // Finished messages are counted by saved offsets, as old outcomes are forgotten (store.event_id_retention).
            let finished = workers.map { processedCount(store($0)) }
            let line = zip(workers, finished).map { worker, finished in
                "\(worker.name) \(finished)/\(streams[worker.name]?.count ?? 0)"
            }.joined(separator: "   ")
            out("\r  progress: \(line)")
            let done = zip(workers, finished).allSatisfy { worker, finished in
                finished >= (streams[worker.name]?.count ?? 0) && outboxSize(store(worker)) == 0
            }
            if done { break }
            for child in children where !child.isRunning { throw DemoError("a process stopped early (see the logs in \(directory))") }
            guard Date() < deadline else { throw DemoError("the workers did not finish within 10 minutes") }
            usleep(300_000)
        }
        out("\n")
        try report(workers: workers, bootstrap: bootstrap, bin: bin)
        say("stopping the workers and the broker (SIGTERM)")
    }

    private func store(_ worker: WorkerSpec) -> String { "\(directory)/\(worker.name).sqlite" }

    private func report(workers: [WorkerSpec], bootstrap: String, bin: URL) throws {
        out("\n== Outcomes per worker")
        for worker in workers {
            let counts = outcomeCounts(store(worker))
            let forgotten = processedCount(store(worker)) - counts.values.reduce(0, +)
            out("  \(worker.name): " + counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                + (forgotten > 0 ? "; \(forgotten) more older than store.event_id_retention (business time), forgotten" : ""))
        }
        out("\n== Dead letters by reason")
        for worker in workers {
            let rows = query(store(worker), "SELECT reason_code, COUNT(*) FROM runtime_message_outcomes WHERE outcome = 'dead_lettered' GROUP BY 1 ORDER BY 1")
            out("  \(worker.name): " + (rows.isEmpty ? "none" : rows.map { "\($0[0]) \($0[1])" }.joined(separator: ", ")))
        }
        let notifications = try readNotifications(bootstrap)
        out("\n== Notifications on welfare.notifications: \(notifications.count); three examples:")
        var shown = Set<String>()
        for value in notifications {
            guard case .object(let event)? = try? JSONParser.parse(value), let data = event["data"]?.objectValue,
                  let template = data["template"]?.stringValue, let text = data["text"]?.stringValue,
                  let source = event["source"]?.stringValue, shown.insert(source).inserted else { continue }
            out("  [\(template)] \(text)")
            if shown.count == 3 { break }
        }
        let claim = query(store(workers[1]), "SELECT claim_id FROM ma_claims WHERE status = 'APPROVED' ORDER BY claim_id LIMIT 1").first?.first
            ?? query(store(workers[1]), "SELECT claim_id FROM ma_claims ORDER BY claim_id LIMIT 1").first?.first
        if let claim {
            out("\n== claim-status \(claim) --store \(store(workers[1]))")
            let process = Process()
            process.executableURL = bin.appendingPathComponent("claim-status")
            process.arguments = [claim, "--store", store(workers[1])]
            try process.run()
            process.waitUntilExit()
        }
        statusSummary(workers)
        out("\n")
    }

    /// The status pages' figures on one screen, read from each worker's /status.json.
    private func statusSummary(_ workers: [WorkerSpec]) {
        out("\n== Status pages (the same figures as a page: open the address while a worker runs)")
        for worker in workers {
            guard let url = URL(string: worker.statusPage + ".json"), let text = try? String(contentsOf: url, encoding: .utf8),
                  case .object(let status)? = try? JSONParser.parse(Array(text.utf8)) else {
                out("  \(worker.name): \(worker.statusPage) did not answer")
                continue
            }
            var totals: [String: Int64] = [:]
            if case .array(let minutes)? = status["outcomes_per_minute"] {
                for case .object(let minute) in minutes {
                    for key in ["applied", "rejected", "duplicate", "dead_lettered"] {
                        if case .integer(let count)? = minute[key] { totals[key, default: 0] += count }
                    }
                }
            }
            var partitions = 0
            var lag: Int64 = 0
            if case .array(let list)? = status["partitions"] {
                partitions = list.count
                for case .object(let partition) in list { if case .integer(let value)? = partition["lag"] { lag += value } }
            }
            let deadLetters = status["dead_letters_last_hour"]?.objectValue?.members.map { "\($0.key) \($0.value.integerText)" }.joined(separator: ", ")
            let backlog = status["outbox"]?.objectValue?["backlog"]?.integerText ?? "?"
            out("  \(worker.name)  \(worker.statusPage)")
            out("    last hour: applied \(totals["applied"] ?? 0), rejected \(totals["rejected"] ?? 0), duplicate \(totals["duplicate"] ?? 0), " +
                "dead-lettered \(totals["dead_lettered"] ?? 0)\(deadLetters.map { $0.isEmpty ? "" : " (\($0))" } ?? "")")
            out("    \(partitions) partitions, lag \(lag); outbox backlog \(backlog)")
        }
    }

    private func readNotifications(_ bootstrap: String) throws -> [[UInt8]] {
        let consumer = try Consumer(configuration: KafkaConfiguration(["bootstrap.servers": bootstrap, "group.id": "demo-report-\(UUID().uuidString)"]),
                                    logger: Logger(label: "demo", factory: { _ in SwiftLogNoOpLogHandler() }))
        defer { consumer.close() }
        let partitions = (0..<12).map { TopicPartition("welfare.notifications", Int32($0)) }
        var total: Int64 = 0
        for partition in partitions { total += try consumer.queryWatermarks(partition, timeout: .seconds(5)).high }
        try consumer.assign(Dictionary(uniqueKeysWithValues: partitions.map { ($0, StartOffset.beginning) }))
        var values: [[UInt8]] = []
        let deadline = Date().addingTimeInterval(30)
        while Int64(values.count) < total && Date() < deadline {
            values += try consumer.poll(maxMessages: 5_000, maxWait: .milliseconds(200)).compactMap(\.value)
        }
        return values
    }

    private func outcomeCounts(_ path: String) -> [String: Int] {
        query(path, "SELECT outcome, COUNT(*) FROM runtime_message_outcomes GROUP BY outcome").reduce(into: [:]) { $0[$1[0]] = Int($1[1]) ?? 0 }
    }

    /// Messages the worker finished: the sum of its saved next offsets (the demo's topics start at offset 0).
    private func processedCount(_ path: String) -> Int {
        (try? SQLiteStore.openReadOnly(path: path).read { try SQLiteStore.finishedMessageCount($0) }) ?? 0
    }

    private func outboxSize(_ path: String) -> Int {
        Int(query(path, "SELECT COUNT(*) FROM runtime_outbox").first?.first ?? "") ?? 1
    }

    private func query(_ path: String, _ sql: String) -> [[String]] {
        guard let queue = try? SQLiteStore.openReadOnly(path: path) else { return [] }
        return (try? queue.read { db in try Row.fetchAll(db, sql: sql).map { $0.databaseValues.map { $0.storage.value.map { "\($0)" } ?? "" } } }) ?? []
    }

    private func start(_ executable: URL, _ arguments: [String], environment: [String: String] = [:], log: String) throws -> Process {
        try? FileManager.default.removeItem(atPath: log)
        _ = SQLiteStore.createPrivateFile(atPath: log)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        return process
    }

    private func stop(_ children: [Process]) {
        for child in children.reversed() where child.isRunning {
            child.terminate()
            child.waitUntilExit()
            if child.terminationStatus != 0 {
                say("\(child.executableURL?.lastPathComponent ?? "a process") exited with status \(child.terminationStatus)")
            }
        }
    }

    private func say(_ text: String) { out("welfare-demo: \(text)") }
}

/// A TCP port on the loopback interface that nothing listens on right now.
func freeLocalPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

extension JSONValue {
    /// An integer member as text, for the summary.
    var integerText: String { if case .integer(let value) = self { String(value) } else { "?" } }
}

/// Writes to standard output at once (no buffering), so the report and child output keep their order.
func out(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasPrefix("\r") ? text : text + "\n").utf8))
}

/// Something went wrong in the demo; the message says where to look.
struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
