import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Kafka
import Testing
import WelfareTestSupport
import WorkerRuntime

func httpGet(_ url: String) async -> (status: Int, body: String)? {
    guard let url = URL(string: url), let (data, response) = try? await URLSession.shared.data(from: url),
          let http = response as? HTTPURLResponse else { return nil }
    return (http.statusCode, String(decoding: data, as: UTF8.self))
}

@Suite("worker processes", .timeLimit(.minutes(5)))
struct WorkerProcessTests {
    @Test("a worker runs on jemalloc without SQLite's memory statistics; a second process on the same store refuses to start with a clear message; SIGTERM stops the first with exit 0")
    func storeLockAndCleanStop() async throws {
        let broker = try tallyBroker()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let first = try startTallyWorker(broker: broker, store: store)
        #expect(try await eventuallyTrue { first.standardError.contains("reading partitions") })
        #expect(first.standardError.contains("allocator=jemalloc "))
        #expect(first.standardError.contains("sqlite_memory_statistics=off"))
        let second = try startTallyWorker(broker: broker, store: store)
        let secondExit = await second.waitForExit(timeout: .seconds(30))
        #expect(secondExit?.status != 0)
        #expect(second.standardError.contains("in use by another worker process"))
        #expect(first.isRunning)

        first.signal(SIGTERM)
        let firstExit = await first.waitForExit(timeout: .seconds(30))
        #expect(firstExit?.reason == .exit)
        #expect(firstExit?.status == 0)
        #expect(first.standardError.contains("stopped"))
    }

    @Test("a second worker on the same store through a symlink or a hard link (another file name) refuses to start")
    func storeLockCoversLinks() async throws {
        let broker = try tallyBroker()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let first = try startTallyWorker(broker: broker, store: store)
        defer { first.signal(SIGKILL) }
        #expect(try await eventuallyTrue { first.standardError.contains("reading partitions") })
        let symlink = directory.appendingPathComponent("alias.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: symlink, withDestinationPath: store)
        let hardLink = directory.appendingPathComponent("other-name.sqlite").path
        try FileManager.default.linkItem(atPath: store, toPath: hardLink)
        for path in [symlink, hardLink] {
            let second = try startTallyWorker(broker: broker, store: path)
            let exit = await second.waitForExit(timeout: .seconds(30))
            #expect(exit?.status != 0, "\(path) must be refused")
            #expect(second.standardError.contains("in use by another worker process (pid \(first.pid))"))
        }
        #expect(first.isRunning)
        first.signal(SIGTERM)
        #expect(await first.waitForExit()?.status == 0)
    }

    @Test("a broker out of reach past broker.unreachable_warning_ms: one warning, /readyz not ready with the time, a metric; a notice when it is back")
    func brokerUnreachableWarning() async throws {
        let broker = try tallyBroker()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let port = freePort()
        let worker = try startTallyWorker(broker: broker, store: store, environment: [
            "WELFARE_HTTP_PORT": String(port), "WELFARE_BROKER_UNREACHABLE_WARNING_MS": "1500",
        ])
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)"
        #expect(try await eventuallyTrue { await httpGet(base + "/readyz")?.status == 200 })
        try broker.setBrokerDown(1)
        #expect(try await eventuallyTrue(timeout: .seconds(20)) { worker.standardError.contains("the Kafka cluster has been unreachable") })
        let ready = await httpGet(base + "/readyz")
        #expect(ready?.status == 503)
        #expect(ready?.body.contains("broker_unreachable_seconds") == true)
        #expect(await httpGet(base + "/metrics")?.body.contains(#"welfare_broker_unreachable_seconds{worker="tally"} 0"#) == false)
        try await Task.sleep(for: .seconds(2))
        #expect(worker.standardError.components(separatedBy: "the Kafka cluster has been unreachable").count == 2, "warned once")
        try broker.setBrokerUp(1)
        #expect(try await eventuallyTrue(timeout: .seconds(20)) { worker.standardError.contains("the Kafka cluster is reachable again") })
        #expect(try await eventuallyTrue { await httpGet(base + "/readyz")?.status == 200 })
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit()?.status == 0)
    }

    @Test("/metrics, /healthz and /readyz answer while the worker runs")
    func observabilityEndpoints() async throws {
        let broker = try tallyBroker()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let port = freePort()
        let worker = try startTallyWorker(broker: broker, store: store, environment: ["WELFARE_HTTP_PORT": String(port)])
        defer { worker.signal(SIGKILL) }
        let base = "http://127.0.0.1:\(port)"
        #expect(try await eventuallyTrue { await httpGet(base + "/readyz")?.status == 200 })
        let producer = try Producer(configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers]), logger: InProcessWorker.quiet)
        defer { producer.close() }
        _ = await producer.deliver(ProducerRecord(topic: "welfare.tally", key: Array("T1".utf8), value: tallyEvent(id: "m-1", tally: "T1")))
        _ = await producer.deliver(ProducerRecord(topic: "welfare.tally", key: Array("T1".utf8), value: Array("oops".utf8)))
        #expect(await waitForStoredProcessed(store, 2))
        let metrics = await httpGet(base + "/metrics")
        #expect(metrics?.status == 200)
        #expect(metrics?.body.contains(#"welfare_messages_total{worker="tally",outcome="applied",type="tally.added.v1"} 1"#) == true)
        #expect(metrics?.body.contains(#"welfare_dead_letters_total{worker="tally",reason="MALFORMED_JSON"} 1"#) == true)
        #expect(metrics?.body.contains("welfare_transaction_seconds_bucket") == true)
        let health = await httpGet(base + "/healthz")
        #expect(health?.status == 200)
        #expect(health?.body.contains("\"live\":true") == true)
    }

    @Test("SIGKILL at random moments while 50,000 events stream in: every event has exactly one outcome and effect, every notification arrives")
    func crashSafety() async throws {
        let broker = try tallyBroker(partitions: 4)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("tally.sqlite").path
        let stream = CrashTestStream(count: 50_000)

        let publisher = Task {
            let producer = try Producer(configuration: KafkaConfiguration(["bootstrap.servers": broker.bootstrapServers, "linger.ms": "5"]),
                                        logger: InProcessWorker.quiet)
            defer { producer.close() }
            for chunk in stride(from: 0, to: stream.messages.count, by: 2_500) {
                for message in stream.messages[chunk..<min(chunk + 2_500, stream.messages.count)] {
                    try producer.send(ProducerRecord(topic: "welfare.tally", key: Array(message.key.utf8), value: message.value))
                }
                // Slow enough that the stream outlasts the kills: a restarted worker catches up within a second.
                try await Task.sleep(for: .milliseconds(600))
            }
            let flushed = try await onDedicatedThread { producer.flush(timeout: .seconds(60)) }
            guard flushed else { throw TestFailure("publishing did not finish") }
        }

        let environment = ["WELFARE_BATCH_MAX_MESSAGES": "500", "WELFARE_LOG_LEVEL": "error"]
        var kills = 0
        var killedWhileProcessing = 0
        while kills < 22 {
            let before = await storedProcessedCount(store)
            let worker = try startTallyWorker(broker: broker, store: store, environment: environment)
            // Kill at a random moment once the worker is committing batches (or after 5 s regardless).
            let progressDeadline = ContinuousClock.now + .seconds(5)
            while await storedProcessedCount(store) == before && ContinuousClock.now < progressDeadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            if await storedProcessedCount(store) > before { killedWhileProcessing += 1 }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...250)))
            worker.signal(SIGKILL)
            _ = await worker.waitForExit(timeout: .seconds(30))
            kills += 1
        }
        try await publisher.value
        #expect(killedWhileProcessing >= 10, "most kills hit a worker in the middle of processing")

        let final = try startTallyWorker(broker: broker, store: store, environment: environment.merging(["WELFARE_LOG_LEVEL": "info"]) { $1 })
        #expect(await waitForStoredProcessed(store, stream.messages.count, timeout: .seconds(180)))
        // The killed workers may have done everything already: wait until this one is running (its signal
        // handling installed) before asking it to stop.
        #expect(try await eventuallyTrue { final.standardError.contains("reading partitions from the offsets in the store") })
        let reader = try SQLiteStore.openReadOnly(path: store)
        #expect(try await eventuallyTrue { try await reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_outbox") } == 0 })
        final.signal(SIGTERM)
        let exit = await final.waitForExit(timeout: .seconds(30))
        #expect(exit?.status == 0, "exit \(String(describing: exit)): \(final.standardError.suffix(2_000))")

        let facts = try await reader.read { db in
            (outcomes: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_message_outcomes") ?? 0,
             byOutcome: try Row.fetchAll(db, sql: "SELECT outcome, COUNT(*) AS n FROM runtime_message_outcomes GROUP BY outcome")
                .reduce(into: [String: Int]()) { $0[$1["outcome"]] = $1["n"] },
             entries: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM tally_entries") ?? 0,
             distinctEntryEvents: try Int.fetchOne(db, sql: "SELECT COUNT(DISTINCT event_id) FROM tally_entries") ?? 0,
             sum: try Int.fetchOne(db, sql: "SELECT SUM(total) FROM tally_totals") ?? 0,
             perPartition: try Row.fetchAll(db, sql: "SELECT partition, COUNT(*) AS n, MAX(offset) AS last FROM runtime_message_outcomes GROUP BY partition")
                .map { ($0["n"] as Int, $0["last"] as Int) })
        }
        #expect(facts.outcomes == stream.messages.count, "exactly one outcome per message")
        #expect(facts.perPartition.allSatisfy { $0.0 == $0.1 + 1 }, "no offset skipped or doubled")
        #expect(facts.byOutcome["applied"] == stream.applied.count)
        #expect(facts.byOutcome["rejected"] == stream.rejected.count)
        #expect(facts.byOutcome["duplicate"] == stream.duplicates)
        #expect(facts.byOutcome["dead_lettered"] == stream.malformed)
        #expect(facts.entries == stream.applied.count && facts.distinctEntryEvents == stream.applied.count, "each applied effect once")
        #expect(facts.sum == stream.appliedSum)

        let expectedIDs = stream.expectedNotificationIDs
        let notifications = try await readTopic(broker.bootstrapServers, topic: "welfare.notifications", partitions: 12,
                                                count: expectedIDs.count, timeout: .seconds(60))
        let seen = Set(notifications.compactMap { jsonObject($0.value)?["id"]?.stringValue })
        #expect(expectedIDs.isSubset(of: seen), "missing \(expectedIDs.subtracting(seen).count) notifications")
        #expect(seen.isSubset(of: expectedIDs), "no unexpected notification")
        let deadLetters = try await readTopic(broker.bootstrapServers, topic: "welfare.tally.dlq", partitions: 3, count: stream.malformed, timeout: .seconds(30))
        let distinctCopies = Set(deadLetters.map { "\($0.header("dlq-partition")?.text ?? "")/\($0.header("dlq-offset")?.text ?? "")" })
        #expect(distinctCopies.count == stream.malformed)
    }
}

/// The crash test's input: valid additions, over-limit rejections, malformed values and byte-identical repeats.
struct CrashTestStream {
    struct Message { let key: String; let value: [UInt8] }
    var messages: [Message] = []
    var applied: [(id: String, tally: String)] = []
    var rejected: [(id: String, tally: String)] = []
    var duplicates = 0
    var malformed = 0
    var appliedSum = 0

    init(count: Int) {
        var lastValid: Message?
        for index in 0..<count {
            let tally = "T\(index % 200)"
            if index % 97 == 96 {
                messages.append(Message(key: tally, value: Array("{broken \(index)".utf8)))
                malformed += 1
            } else if index % 101 == 100, let repeatOf = lastValid {
                messages.append(repeatOf)
                duplicates += 1
            } else if index % 50 == 49 {
                messages.append(Message(key: tally, value: tallyEvent(id: "e-\(index)", tally: tally, amount: 600)))
                rejected.append(("e-\(index)", tally))
            } else {
                let amount = index % 100 + 1
                let message = Message(key: tally, value: tallyEvent(id: "e-\(index)", tally: tally, amount: amount))
                messages.append(message)
                applied.append(("e-\(index)", tally))
                appliedSum += amount
                lastValid = message
            }
        }
    }

    var expectedNotificationIDs: Set<String> {
        Set(applied.map { NotificationRenderer.notificationID(eventID: $0.id, template: "tally.added", recipientKind: .member, recipientID: $0.tally) }
            + rejected.map { NotificationRenderer.notificationID(eventID: $0.id, template: "welfare.event.rejected", recipientKind: .source, recipientID: "/test/source") })
    }
}
