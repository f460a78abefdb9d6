import Foundation
import Kafka
import PostgreSQL
import SampleStreams
import Testing
import WelfareDomains
import WelfareTestSupport
import WorkerRuntime

/// Each domain's worker as three processes in one consumer group on one PostgreSQL store, one killed and
/// one paused mid-transaction past the session timeout, against one SQLite instance on the same input:
/// every message one outcome, nothing doubled, the same notifications and the same per-entity results.
@Suite("three instances on one PostgreSQL store against one SQLite instance", .serialized, .timeLimit(.minutes(6)))
struct ClusterFailoverTests {
    static let events = 100_000
    static let partitions = 24
    static let notificationPartitions = 64

    /// Per-entity results that do not depend on the order of different partitions, per domain.
    static let comparisons: [String: [String]] = [
        "volunteer-hours": EntityQueries.volunteerHours(ledgerOrder: "event_id"),
        "mutual-aid-claims": EntityQueries.mutualAidClaims(capUsageOrder: "claim_id"),
        "new-employment-benefits": [
            "SELECT * FROM ne_workers ORDER BY worker_id",
            "SELECT * FROM ne_activity ORDER BY worker_id, day, platform",
            """
            SELECT application_id, worker_id, benefit_code, year, state, reason_code, active_days, voucher_hash, valid_until, catalogue_version,
                applied_at, event_id
            FROM ne_applications ORDER BY application_id
            """,
            "SELECT * FROM ne_redemptions ORDER BY redemption_id",
        ],
    ]

    static let outcomes = "SELECT partition, \"offset\", coalesce(event_id, ''), outcome, coalesce(reason_code, '') FROM runtime_message_outcomes ORDER BY partition, \"offset\""

    /// The input without registrations that give an identity number already registered by another entity: which
    /// of two such registrations on different partitions comes first (the other is `DUPLICATE_IDENTITY`) is a
    /// race Kafka leaves open, so one instance and three need not agree on it.
    static func withoutIdentityRaces(_ messages: [SampleMessage]) -> [SampleMessage] {
        var owners: [String: String] = [:]
        return messages.filter { message in
            guard let data = (try? JSONParser.parse(message.value))?.objectValue?["data"]?.objectValue,
                  let number = data["id_number"]?.stringValue else { return true }
            if let owner = owners[number] { return owner == message.key }
            owners[number] = message.key
            return true
        }
    }

    /// The first row where two dumps differ, as (cluster, single), with the row counts.
    static func firstDifference(_ found: [String], _ expected: [String]) -> String {
        let pair = zip(found, expected).first { $0 != $1 }
        return "\(pair.map { "\($0.0) ≠ \($0.1)" } ?? "none in common rows"); \(found.count) rows ≠ \(expected.count) rows"
    }

    @Test("SIGKILL one instance, SIGSTOP another mid-transaction past the session timeout: the same outcomes, notifications and results as one SQLite instance",
          arguments: WelfareDomains.all.map(\.name))
    func failover(domainName: String) async throws {
        let entry = try #require(WelfareDomains.named(domainName))
        let domain = try entry.makeHandler()
        let broker = try EmbeddedBroker()
        try broker.createTopic(entry.inputTopic, partitions: Self.partitions)
        try broker.createTopic(entry.deadLetterTopic, partitions: 3)
        // Many partitions: the embedded broker keeps about 5 MB per partition and drops older messages silently.
        for topic in ["notifications.single", "notifications.cluster"] { try broker.createTopic(topic, partitions: Self.notificationPartitions) }
        let messages = Self.withoutIdentityRaces(entry.sampleMessages(count: Self.events, seed: 11, faultEvery: 60))
        // The input comes in two parts, the second once the killed instance's partitions have moved: the
        // instances are still at work when the test pauses one of them, however fast they are.
        let firstPart = messages.count * 3 / 5
        try await publish(messages.prefix(firstPart).map { ($0.key, $0.value) }, topic: entry.inputTopic, bootstrap: broker.bootstrapServers)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        // Without quotas, the benefits' results do not depend on how partitions interleave (quotas across
        // instances are tested in PostgresDomainConcurrencyTests).
        var environment = entry.developmentSecrets.merging([
            "WELFARE_LOG_LEVEL": "info", "WELFARE_BATCH_MAX_MESSAGES": "1000", "WELFARE_STORE_IDENTITY_KEY": "failover-test-identity-key-0123456789abcdef",
            // Every outcome kept: how far a store has forgotten old ids depends on its batches (EventIDRetentionTests).
            "WELFARE_STORE_EVENT_ID_RETENTION": "0",
            "WELFARE_KAFKA_SESSION_TIMEOUT_MS": "3000", "WELFARE_KAFKA_HEARTBEAT_INTERVAL_MS": "300",
        ]) { $1 }
        if domainName == "new-employment-benefits" {
            let catalogue = directory.appendingPathComponent("catalogue.yaml")
            try """
                version: failover-test
                benefits:
                  - {code: HEALTH_CHECK, yearly_limit: 1, min_active_days: 10, voucher_valid_days: 90}
                  - {code: MEAL_DISCOUNT, yearly_limit: 12, min_active_days: 10, voucher_valid_days: 30}
                  - {code: CHILD_HOLIDAY_CARE, yearly_limit: 1, min_active_days: 15, voucher_valid_days: 60}
                  - {code: SKILLS_TRAINING, yearly_limit: 2, min_active_days: 5, voucher_valid_days: 180}
                  - {code: CHARGING_CARD, yearly_limit: 12, min_active_days: 10, voucher_valid_days: 30, occupations: [delivery_rider, courier]}
                  - {code: LEGAL_AID, yearly_limit: 3, min_active_days: 0, voucher_valid_days: 90}
                  - {code: REST_STATION_CARD, yearly_limit: 1, min_active_days: 0, voucher_valid_days: 365}
                """.write(to: catalogue, atomically: true, encoding: .utf8)
            environment["WELFARE_DOMAIN_CATALOGUE_FILE"] = catalogue.path
        }
        func start(store: String, notifications: String) throws -> ChildProcess {
            try ChildProcess(TestPaths.executable(entry.executable), ["--bootstrap-servers", broker.bootstrapServers, "--store", store],
                             environment: environment.merging(["WELFARE_TOPICS_NOTIFICATIONS": notifications]) { $1 })
        }

        // One SQLite instance: the reference.
        let singlePath = directory.appendingPathComponent("single.sqlite").path
        let single = try start(store: singlePath, notifications: "notifications.single")
        defer { single.signal(SIGKILL) }

        // Three instances on one PostgreSQL database.
        let url = try TestPostgres.newDatabase()
        let cluster = try (0..<3).map { _ in try start(store: url, notifications: "notifications.cluster") }
        defer { for worker in cluster { worker.signal(SIGCONT); worker.signal(SIGKILL) } }
        let check = try PostgresConnection(url: url)
        func finished() -> Int { Int((try? check.query("SELECT coalesce(sum(next_offset), 0) FROM runtime_partition_offsets").integer(0, 0)) ?? 0) }
        func owned(by worker: ChildProcess) -> Int {
            Int((try? check.query("SELECT count(*) FROM runtime_partition_offsets WHERE owner LIKE '%:\(worker.pid):%'").integer(0, 0)) ?? 0)
        }

        _ = try await eventuallyTrue(timeout: .seconds(60)) { finished() >= firstPart / 3 || cluster.contains { !$0.isRunning } }
        try #require(cluster.allSatisfy(\.isRunning) && single.isRunning, "\((cluster + [single]).map { String($0.standardError.suffix(1_000)) })")
        #expect(finished() >= firstPart / 3, "the cluster makes progress")
        cluster[0].signal(SIGKILL)
        #expect(try await eventuallyTrue(timeout: .seconds(60)) { owned(by: cluster[0]) == 0 }, "the killed instance's partitions moved")
        try await publish(messages.dropFirst(firstPart).map { ($0.key, $0.value) }, topic: entry.inputTopic, bootstrap: broker.bootstrapServers)
        // Pause the second instance in the middle of a batch transaction: its session holds a transaction that has
        // written (a transaction id), and not one that only deletes delivered outbox rows or takes partitions (they
        // save no offsets, so there is nothing to fence). Not while it holds the benefits'
        // quota lock: the other instances' batches would wait for it, and so would the group's rebalance (a batch
        // in progress delays a poll), so nobody could take its partitions until the server ends the transaction.
        var caughtInTransaction = false
        let deadline = ContinuousClock.now + .seconds(30)
        while !caughtInTransaction && ContinuousClock.now < deadline && finished() < messages.count {
            let open = try check.query("""
                SELECT count(*) FROM pg_stat_activity activity
                WHERE application_name LIKE 'welfare %:\(cluster[1].pid):%' AND backend_xid IS NOT NULL
                  AND query NOT LIKE 'DELETE FROM runtime_outbox%' AND query NOT LIKE 'INSERT INTO runtime_partition_offsets%'
                  AND NOT EXISTS (SELECT 1 FROM pg_locks WHERE pg_locks.pid = activity.pid AND locktype = 'advisory')
                """).integer(0, 0) ?? 0
            if open > 0 {
                cluster[1].signal(SIGSTOP)
                // Statements the instance sent before it stopped still run on the server (its batch is
                // pipelined): if they commit it, or take the quota lock, let it go on and try again.
                try await Task.sleep(for: .milliseconds(300))
                let stillOpen = try check.query("""
                    SELECT count(*) FROM pg_stat_activity
                    WHERE application_name LIKE 'welfare %:\(cluster[1].pid):%' AND backend_xid IS NOT NULL
                    """).integer(0, 0) ?? 0
                let locking = try check.query("""
                    SELECT count(*) FROM pg_stat_activity activity JOIN pg_locks ON pg_locks.pid = activity.pid
                    WHERE application_name LIKE 'welfare %:\(cluster[1].pid):%' AND locktype = 'advisory'
                    """).integer(0, 0) ?? 0
                if stillOpen == 0 || locking > 0 {
                    cluster[1].signal(SIGCONT)
                    continue
                }
                caughtInTransaction = true
            }
        }
        #expect(caughtInTransaction, "the second instance was paused inside a transaction")
        // Resumed once the group has given all of its partitions to the third instance (which raised their epochs).
        #expect(try await eventuallyTrue(timeout: .seconds(60)) { owned(by: cluster[1]) == 0 }, "the paused instance's partitions moved")
        cluster[1].signal(SIGCONT)

        let done = try await eventuallyTrue(timeout: .seconds(240)) { finished() == messages.count }
        #expect(done, "finished \(finished()) of \(messages.count): \(cluster.map { String($0.standardError.suffix(2_000)) })")
        #expect(try await eventuallyTrue(timeout: .seconds(30)) { (try? check.query("SELECT count(*) FROM runtime_outbox").integer(0, 0)) == 0 })
        #expect(cluster[1].standardError.contains("was taken by another instance"), "the paused instance's late commit was fenced")

        // The reference has finished too, its outbox delivered; it stops cleanly and releases its file.
        let singleDone = try await eventuallyTrue(timeout: .seconds(120)) {
            let finished = await storedProcessedCount(singlePath)
            let waiting = await storedOutboxRows(singlePath)
            return finished == messages.count && waiting == 0
        }
        #expect(singleDone, "the single instance finished")
        single.signal(SIGTERM)
        _ = await single.waitForExit(timeout: .seconds(30))
        let reference = try TestStore(existing: singlePath, domain: domain)
        let shared = try TestStore(existing: url, domain: domain)

        let clusterOutcomes = try shared.dump(Self.outcomes)
        #expect(clusterOutcomes.count == messages.count, "exactly one outcome per message")
        let referenceOutcomes = try reference.dump(Self.outcomes)
        #expect(clusterOutcomes == referenceOutcomes,
                "every message has the outcome one SQLite instance gave it; first difference \(Self.firstDifference(clusterOutcomes, referenceOutcomes))")
        for query in Self.comparisons[domainName] ?? [] {
            let expected = try reference.dump(query)
            let found = try shared.dump(query)
            #expect(!expected.isEmpty, "the stream exercises \(query)")
            #expect(found == expected, "\(query): first difference \(Self.firstDifference(found, expected))")
        }

        let singleNotifications = try await readAll("notifications.single", partitions: Self.notificationPartitions, bootstrap: broker.bootstrapServers)
        let clusterNotifications = try await readAll("notifications.cluster", partitions: Self.notificationPartitions, bootstrap: broker.bootstrapServers,
                                                     atLeast: singleNotifications.count)
        func byID(_ messages: [ConsumedMessage]) -> [String: Set<[UInt8]>] {
            messages.reduce(into: [:]) { ids, message in
                let id = (try? JSONParser.parse(message.value ?? []))?.objectValue?["id"]?.stringValue ?? ""
                ids[id, default: []].insert(message.value ?? [])
            }
        }
        let expected = byID(singleNotifications)
        let emitted = byID(clusterNotifications)
        #expect(expected.count > 1_000)
        let missing = Set(expected.keys).subtracting(emitted.keys), extra = Set(emitted.keys).subtracting(expected.keys)
        #expect(missing.isEmpty && extra.isEmpty, "the same notification ids: \(missing.count) missing, \(extra.count) extra of \(expected.count)")
        #expect(expected.allSatisfy { emitted[$0.key] == $0.value }, "each with the same bytes (repeats identical)")
    }
}
