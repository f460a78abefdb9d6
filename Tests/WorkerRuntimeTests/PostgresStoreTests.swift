import Foundation
import GRDB
import Kafka
import PostgreSQL
import TallyDomain
import Testing
import WelfareTestSupport
import WorkerRuntime

/// The PostgreSQL store engine under the runtime: the same outcomes as SQLite, owner epochs that fence a
/// partition's earlier owner, outbox rows per partition delivered by their owner, and versioned migrations.
@Suite("PostgreSQL store engine", .timeLimit(.minutes(2)))
struct PostgresStoreTests {
    static let topic = "welfare.tally"

    /// A mixed input over two partitions: adds, a repeat, an id conflict, a duplicate entry, an amount over
    /// the limit, malformed bytes and a reset.
    static func mixedMessages() -> [ConsumedMessage] {
        let values: [(Int32, String, [UInt8])] = [
            (0, "T1", tallyEvent(id: "a-1", tally: "T1", amount: 10)),
            (1, "T2", tallyEvent(id: "a-2", tally: "T2", amount: 20)),
            (0, "T1", tallyEvent(id: "a-1", tally: "T1", amount: 10)),
            (0, "T1", tallyEvent(id: "a-1", tally: "T1", amount: 11)),
            (1, "T2", tallyEvent(id: "a-3", tally: "T2", entry: "E-a-2", amount: 5)),
            (0, "T1", tallyEvent(id: "a-4", tally: "T1", amount: 600)),
            (1, "T2", Array("{not json".utf8)),
            (0, "T1", tallyEvent(id: "a-5", tally: "T1", amount: 7)),
            (1, "T2", tallyEvent(id: "a-6", type: "tally.reset.v1", tally: "T2")),
        ]
        var offsets: [Int32: Int64] = [:]
        return values.map { partition, key, value in
            defer { offsets[partition, default: 0] += 1 }
            return ConsumedMessage(topic: topic, partition: partition, offset: offsets[partition, default: 0], key: Array(key.utf8), value: value)
        }
    }

    static func processor() -> MessageProcessor<TallyDomain> {
        MessageProcessor(handler: TallyDomain(), deadLetterTopic: "welfare.tally.dlq", notificationsTopic: "welfare.notifications")
    }

    /// Runs one batch as the engine does: effects, outcomes, outbox rows and offsets in one transaction.
    @discardableResult
    static func commit(_ messages: [ConsumedMessage], to store: any RuntimeStore, with processor: MessageProcessor<TallyDomain>) throws
        -> MessageProcessor<TallyDomain>.BatchResult {
        try store.write { transaction in
            let result = try processor.process(messages, in: transaction)
            try store.saveNextOffsets(result.nextOffsets, in: transaction)
            return result
        }
    }

    static func rows(_ connection: PostgresConnection, _ sql: String) throws -> [String] {
        let result = try connection.query(sql)
        return (0..<result.rowCount).map { row in
            (0..<result.columnCount).map { result.text(row, $0) ?? "∅" }.joined(separator: "|")
        }
    }

    static func rows(_ queue: DatabaseQueue, _ sql: String) throws -> [String] {
        try queue.read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                row.databaseValues.map { $0.isNull ? "∅" : String(describing: $0.storage.value.map { "\($0)" } ?? "∅") }.joined(separator: "|")
            }
        }
    }

    @Test("a batch gives the same outcomes, totals and notifications on PostgreSQL as on SQLite")
    func sameOutcomesAsSQLite() throws {
        let messages = Self.mixedMessages()
        let partitions = [TopicPartition(Self.topic, 0), TopicPartition(Self.topic, 1)]

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let sqlite = try SQLiteStore(path: directory.appendingPathComponent("tally.sqlite").path, for: TallyDomain())
        let sqliteResult = try Self.commit(messages, to: sqlite, with: Self.processor())

        let url = try TestPostgres.newDatabase()
        let postgres = try PostgresStore(url: url, for: TallyDomain())
        try postgres.takeOwnership(of: partitions)
        let postgresResult = try Self.commit(messages, to: postgres, with: Self.processor())

        let outcomes = "SELECT partition, \"offset\", coalesce(event_id, ''), outcome, coalesce(reason_code, '') FROM runtime_message_outcomes ORDER BY partition, \"offset\""
        let check = try PostgresConnection(url: url)
        let postgresOutcomes = try Self.rows(check, outcomes)
        let sqliteOutcomes = try Self.rows(sqlite.queue, outcomes.replacingOccurrences(of: "\"offset\"", with: "offset"))
        #expect(postgresOutcomes.count == messages.count)
        #expect(postgresOutcomes == sqliteOutcomes)
        #expect(postgresOutcomes.contains("0|1|a-1|duplicate|"))
        #expect(postgresOutcomes.contains("0|2|a-1|dead_lettered|EVENT_ID_CONFLICT"))
        #expect(postgresOutcomes.contains("1|1|a-3|rejected|DUPLICATE_ENTRY"))
        #expect(postgresOutcomes.contains("0|3|a-4|rejected|OVER_LIMIT"))

        let totals = "SELECT tally_id, total FROM tally_totals ORDER BY tally_id"
        #expect(try Self.rows(check, totals) == ["T1|17", "T2|0"])
        #expect(try Self.rows(check, totals) == (try Self.rows(sqlite.queue, totals)))

        let sqliteMessages = sqliteResult.outbox.flatMap(\.records)
        let postgresMessages = postgresResult.outbox.flatMap(\.records)
        #expect(postgresMessages.count == sqliteMessages.count)
        #expect(Set(postgresMessages.map { $0.value ?? [] }) == Set(sqliteMessages.map { $0.value ?? [] }), "the same notifications, byte for byte")
        #expect(try postgres.nextOffsets(topic: Self.topic) == [0: 5, 1: 4])
        #expect(try postgres.nextOffsets(topic: Self.topic) == (try sqlite.nextOffsets(topic: Self.topic)))

        // The operators' tool reads the dead letters of either engine alike.
        let sqliteLetters = try runProgram(TestPaths.executable("welfare-admin"), ["dlq", "list", "--store", sqlite.path, "--json"])
        let postgresLetters = try runProgram(TestPaths.executable("welfare-admin"), ["dlq", "list", "--store", url, "--json"])
        #expect(postgresLetters.status == 0)
        #expect(postgresLetters.output.contains("EVENT_ID_CONFLICT") && postgresLetters.output.contains("MALFORMED_JSON"))
        #expect(postgresLetters.output == sqliteLetters.output)
    }

    @Test("once another instance takes a partition, the earlier owner's batch for it rolls back")
    func earlierOwnerIsFenced() throws {
        let url = try TestPostgres.newDatabase()
        let first = try PostgresStore(url: url, for: TallyDomain())
        let second = try PostgresStore(url: url, for: TallyDomain())
        let partition = TopicPartition(Self.topic, 0)
        try first.takeOwnership(of: [partition])
        #expect(first.ownedPartitions == [partition: 1])
        let messages = Self.mixedMessages().filter { $0.partition == 0 }
        try Self.commit(Array(messages.prefix(2)), to: first, with: Self.processor())

        // The group moved the partition while the first instance was paused.
        try second.takeOwnership(of: [partition])
        #expect(second.ownedPartitions == [partition: 2])
        #expect(throws: PartitionFencedError.self) { try Self.commit(Array(messages.dropFirst(2)), to: first, with: Self.processor()) }
        #expect(StoreFault.isTransient(PartitionFencedError(partition: partition, heldEpoch: 1)), "fenced batches are retried, never dead-lettered")

        let check = try PostgresConnection(url: url)
        #expect(try Self.rows(check, "SELECT count(*) FROM runtime_message_outcomes") == ["2"], "nothing of the fenced batch was committed")
        #expect(try Self.rows(check, "SELECT total FROM tally_totals WHERE tally_id = 'T1'") == ["10"])
        #expect(try Self.rows(check, "SELECT next_offset, owner_epoch, owner = '\(second.instance)' FROM runtime_partition_offsets") == ["2|2|t"])

        // The new owner goes on from the committed offset.
        #expect(try second.nextOffsets(topic: Self.topic) == [0: 2])
        try Self.commit(Array(messages.dropFirst(2)), to: second, with: Self.processor())
        #expect(try Self.rows(check, "SELECT total FROM tally_totals WHERE tally_id = 'T1'") == ["17"])
        #expect(try second.nextOffsets(topic: Self.topic) == [0: 5])
    }

    @Test("outbox rows belong to one input partition and only its owner reads them, a new owner included")
    func outboxRowsPerPartition() throws {
        let url = try TestPostgres.newDatabase()
        let first = try PostgresStore(url: url, for: TallyDomain())
        let partitions = [TopicPartition(Self.topic, 0), TopicPartition(Self.topic, 1)]
        try first.takeOwnership(of: partitions)
        let result = try Self.commit(Self.mixedMessages(), to: first, with: Self.processor())
        #expect(result.outbox.count >= 2, "the batch's messages were split by partition")

        let check = try PostgresConnection(url: url)
        let perPartition = try Self.rows(check, "SELECT partition, count(*) FROM runtime_outbox GROUP BY partition ORDER BY partition")
        #expect(perPartition.count == 2)
        #expect(try first.pendingOutbox(after: 0, limit: 100).rows.count == result.outbox.count)

        // The first instance loses partition 1; a second takes it and finds its rows.
        first.releaseOwnership(of: [partitions[1]])
        let second = try PostgresStore(url: url, for: TallyDomain())
        try second.takeOwnership(of: [partitions[1]])
        let firstRows = try first.pendingOutbox(after: 0, limit: 100).rows.map(\.seq)
        let secondRows = try second.pendingOutbox(after: 0, limit: 100).rows.map(\.seq)
        #expect(!firstRows.isEmpty && !secondRows.isEmpty)
        #expect(Set(firstRows).isDisjoint(with: secondRows))
        #expect(Set(firstRows + secondRows) == Set(result.outbox.map(\.seq)))
        #expect(try second.pendingOutbox(only: Set(firstRows)).rows.isEmpty, "rows of a partition it does not own are not its to deliver")

        try second.deleteDelivered(secondRows)
        #expect(try second.pendingOutbox(after: 0, limit: 100).rows.isEmpty)
    }

    @Test("migrations are applied once, a store of a newer version is refused, and a password in the URL is refused")
    func migrations() throws {
        let url = try TestPostgres.newDatabase()
        _ = try PostgresStore(url: url, for: TallyDomain())
        _ = try PostgresStore(url: url, for: TallyDomain())
        let check = try PostgresConnection(url: url)
        #expect(try Self.rows(check, "SELECT identifier FROM runtime_migrations ORDER BY identifier") == ["postgres-runtime-v1", "postgres-runtime-v2", "postgres-runtime-v3", "tally-postgres-v1"])

        try check.execute("INSERT INTO runtime_migrations (identifier) VALUES ('tally-postgres-v99')")
        #expect(throws: StoreError.self) { _ = try PostgresStore(url: url, for: TallyDomain()) }

        let withPassword = url.replacingOccurrences(of: "user=postgres", with: "user=postgres&password=secret")
        #expect(withPassword != url)
        let refusal = #expect(throws: PostgresError.self) { _ = try PostgresConnection(url: withPassword) }
        #expect(refusal?.message.contains("PGPASSWORD") == true)
    }

    @Test("a store keeps the key identity numbers are hashed with and refuses another")
    func identityKeyFingerprint() throws {
        let url = try TestPostgres.newDatabase()
        let store = try PostgresStore(url: url, for: TallyDomain())
        #expect(try store.checkIdentityKey(.forTests) == .recorded)
        #expect(try store.checkIdentityKey(.forTests) == .matched)
        let other = try #require(IdentityKey("another-identity-key-0123456789abcdef"))
        #expect(throws: StoreError.self) { _ = try store.checkIdentityKey(other) }
    }
}
