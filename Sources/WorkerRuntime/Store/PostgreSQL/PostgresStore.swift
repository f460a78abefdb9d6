import Foundation
import Kafka
import PostgreSQL
import Synchronization

/// A worker's store in one PostgreSQL database, shared by several instances of the worker: each owns the
/// input partitions its consumer group gave it, fenced by a per-partition owner epoch that every batch
/// transaction checks (`SCALE-OUT.md`). The runtime's tables and the domain's share one migration list, so
/// one transaction covers a batch's effects, outcomes, outbox rows and offsets, as in SQLite.
///
/// Batches run in READ COMMITTED: rules that span partitions are serialised by the domain's constraints
/// and row locks (`SELECT … FOR UPDATE`), and a serialization failure or deadlock is a transient fault.
public final class PostgresStore: Sendable {
    /// Where the store is (no password).
    public let location: String
    /// This instance's name in `runtime_partition_offsets.owner`: host, process and a random suffix.
    public let instance: String
    /// The connection every call uses in turn, under `lock`; its calls block, so it is used from the worker's
    /// own threads. Unchecked: touched only while `lock` is held.
    private nonisolated(unsafe) let connection: PostgresConnection
    private let lock = Mutex(())
    /// The epoch this instance took for each partition it owns.
    private let epochs = Mutex<[TopicPartition: Int64]>([:])

    /// How long the server lets one of this store's transactions sit idle before it ends it.
    public static let idleTransactionTimeoutSeconds = 20

    /// Connects and migrates the store for a domain's handler.
    public convenience init<Handler: DomainHandler>(url: String, for handler: Handler) throws {
        try self.init(url: url, schema: handler.schema(for: .postgresql))
    }

    /// Connects and migrates the store: the runtime's tables, then `schema`, the domain's.
    public init(url: String, schema: [SchemaMigration]) throws {
        // A transaction left open by a paused instance (a stopped process, a network split) would hold its
        // row locks against the partition's new owner: the server ends it after this long.
        // The instance's name is its session's application_name too, so pg_stat_activity shows whose it is.
        // The worker's statements probe indexes whose pages the server holds in memory: at the default cost of a
        // random page (4, for spinning disks) the planner scans a whole table of some ten thousand rows to update
        // a few hundred of them by key.
        let instance = "\(ProcessInfo.processInfo.hostName.prefix(32)):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
        let connection = try PostgresConnection(url: url, sessionSetup: """
            SET idle_in_transaction_session_timeout = '\(Self.idleTransactionTimeoutSeconds)s'; SET application_name = 'welfare \(instance)';
            SET random_page_cost = 1.1
            """)
        location = connection.location
        self.instance = instance
        try Self.migrate(connection, steps: PostgresRuntimeSchema.steps + schema, location: connection.location)
        self.connection = connection
    }

    /// Applies the steps not yet applied, each in the transaction that records it, under an advisory lock so
    /// that instances starting together migrate once. Refuses a store that a newer version migrated.
    static func migrate(_ connection: PostgresConnection, steps: [SchemaMigration], location: String) throws {
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock(7270601)")
            try connection.execute("CREATE TABLE IF NOT EXISTS runtime_migrations (identifier text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
            let applied = try connection.query("SELECT identifier FROM runtime_migrations")
            let done = Set((0..<applied.rowCount).compactMap { applied.text($0, 0) })
            let known = Set(steps.map(\.identifier))
            if let unknown = done.subtracting(known).sorted().first {
                throw StoreError("store \(location) was written by a newer version of this worker (migration \(unknown)); refusing to run an older one on it")
            }
            for step in steps where !done.contains(step.identifier) {
                try connection.execute(step.sql)
                try connection.query("INSERT INTO runtime_migrations (identifier) VALUES ($1)", [.text(step.identifier)])
            }
        }
    }

    /// Ties the store's identity hashes to `key`: records its fingerprint in a new store, refuses another key.
    public func checkIdentityKey(_ key: IdentityKey) throws -> IdentityKeyCheck.Outcome {
        try withConnection { connection in
            try connection.transaction {
                let stored = try connection.query("SELECT fingerprint FROM runtime_identity_key WHERE id = 1 FOR UPDATE")
                if let fingerprint = stored.bytes(0, 0) {
                    guard fingerprint == key.fingerprint else {
                        throw StoreError("store \(location) was written with another store.identity_key; start it with that key")
                    }
                    return .matched
                }
                try connection.query("INSERT INTO runtime_identity_key (id, fingerprint) VALUES (1, $1) ON CONFLICT (id) DO NOTHING", [.bytes(key.fingerprint)])
                return .recorded
            }
        }
    }

    /// The partitions this instance owns and the epoch it took each with.
    public var ownedPartitions: [TopicPartition: Int64] { epochs.withLock { $0 } }

    /// Runs `body` with the connection, reconnecting first if it broke.
    func withConnection<Result>(_ body: (PostgresConnection) throws -> Result) throws -> Result {
        try lock.withLock { _ in
            if connection.isBroken { try connection.reconnect() }
            return try body(connection)
        }
    }

    /// The owned partition numbers as a PostgreSQL array literal.
    private var ownedPartitionList: String {
        "{" + epochs.withLock { $0.keys.map { String($0.partition) } }.joined(separator: ",") + "}"
    }
}

extension PostgresStore: RuntimeStore {
    /// Rows in the store, which a partition's next owner reads (`PostgresProcessingMarker`).
    public func makeCrashMarker() throws -> any CrashMarker { PostgresProcessingMarker(store: self) }

    /// Raises each partition's owner epoch in a transaction of its own and remembers it: from its commit on,
    /// a batch of an earlier owner that saves offsets of these partitions rolls back.
    public func takeOwnership(of partitions: [TopicPartition]) throws {
        guard !partitions.isEmpty else { return }
        let taken = try withConnection { connection in
            try connection.transaction {
                try partitions.map { partition in
                    let row = try connection.query("""
                        INSERT INTO runtime_partition_offsets (topic, partition, owner_epoch, owner, owned_since) VALUES ($1, $2, 1, $3, now())
                        ON CONFLICT (topic, partition) DO UPDATE
                            SET owner_epoch = runtime_partition_offsets.owner_epoch + 1, owner = excluded.owner, owned_since = excluded.owned_since
                        RETURNING owner_epoch
                        """, [.text(partition.topic), .integer(Int64(partition.partition)), .text(instance)])
                    guard let epoch = row.integer(0, 0) else { throw StoreError("no owner epoch returned for \(partition.topic)/\(partition.partition)") }
                    return (partition, epoch)
                }
            }
        }
        epochs.withLock { owned in for (partition, epoch) in taken { owned[partition] = epoch } }
    }

    public func releaseOwnership(of partitions: [TopicPartition]) {
        epochs.withLock { owned in for partition in partitions { owned[partition] = nil } }
    }

    public func write<Result>(_ body: (StoreTransaction) throws -> Result) throws -> Result {
        try withConnection { connection in
            let transaction = PostgresTransaction(connection: connection)
            do {
                let result = try connection.pipelinedTransaction { try body(StoreTransaction(postgres: transaction)) }
                transaction.finish(committed: true)
                return result
            } catch {
                transaction.finish(committed: false)
                throw error
            }
        }
    }

    /// Saves each partition's next offset where this instance's epoch still holds, else throws
    /// `PartitionFencedError` (and the caller's transaction rolls back).
    public func saveNextOffsets(_ offsets: [TopicPartition: Int64], in transaction: StoreTransaction) throws {
        let connection = try transaction.postgres
        let held = epochs.withLock { $0 }
        for (partition, next) in offsets.sorted(by: { $0.key.partition < $1.key.partition }) {
            guard let epoch = held[partition] else { throw PartitionFencedError(partition: partition, heldEpoch: nil) }
            let saved = try connection.query("""
                UPDATE runtime_partition_offsets SET next_offset = $3 WHERE topic = $1 AND partition = $2 AND owner_epoch = $4
                """, [.text(partition.topic), .integer(Int64(partition.partition)), .integer(next), .integer(epoch)])
            guard saved.affectedRows == 1 else { throw PartitionFencedError(partition: partition, heldEpoch: epoch) }
        }
    }

    public func deleteDelivered(_ seqs: [Int64], in transaction: StoreTransaction) throws {
        guard !seqs.isEmpty else { return }
        try (try transaction.postgres).send("DELETE FROM runtime_outbox WHERE seq = ANY($1::bigint[])", [.text(PostgresValue.arrayLiteral(seqs))])
    }

    public func nextOffsets(topic: String) throws -> [Int32: Int64] {
        try withConnection { connection in
            let rows = try connection.query("SELECT partition, next_offset FROM runtime_partition_offsets WHERE topic = $1 AND next_offset IS NOT NULL", [.text(topic)])
            var offsets: [Int32: Int64] = [:]
            for row in 0..<rows.rowCount {
                if let partition = rows.integer(row, 0), let next = rows.integer(row, 1) { offsets[Int32(partition)] = next }
            }
            return offsets
        }
    }

    /// Rows of the partitions this instance owns only: each partition's owner delivers its rows.
    public func pendingOutbox(after seq: Int64, limit: Int) throws -> OutboxPage {
        try withConnection { connection in
            Self.decode(try connection.query("""
                SELECT seq, messages FROM runtime_outbox WHERE seq > $1 AND partition = ANY($2::integer[]) ORDER BY seq LIMIT $3
                """, [.integer(seq), .text(ownedPartitionList), .int(limit)]))
        }
    }

    public func pendingOutbox(only seqs: Set<Int64>) throws -> OutboxPage {
        guard !seqs.isEmpty else { return OutboxPage(rows: [], corrupt: []) }
        return try withConnection { connection in
            Self.decode(try connection.query("""
                SELECT seq, messages FROM runtime_outbox WHERE seq = ANY($1::bigint[]) AND partition = ANY($2::integer[]) ORDER BY seq
                """, [.text(PostgresValue.arrayLiteral(seqs.sorted())), .text(ownedPartitionList)]))
        }
    }

    public func setAside(_ seqs: [Int64]) throws {
        guard !seqs.isEmpty else { return }
        try withConnection { connection in
            try connection.transaction {
                let list = PostgresValue.text(PostgresValue.arrayLiteral(seqs))
                try connection.query("""
                    INSERT INTO runtime_outbox_set_aside (seq, partition, messages) SELECT seq, partition, messages FROM runtime_outbox
                    WHERE seq = ANY($1::bigint[]) ON CONFLICT (seq) DO NOTHING
                    """, [list])
                try connection.query("DELETE FROM runtime_outbox WHERE seq = ANY($1::bigint[])", [list])
            }
        }
    }

    private static func decode(_ rows: PostgresResult) -> OutboxPage {
        var page = OutboxPage(rows: [], corrupt: [])
        for row in 0..<rows.rowCount {
            guard let seq = rows.integer(row, 0) else { continue }
            guard let bytes = rows.bytes(row, 1), let records = PackedMessages.unpack(bytes) else {
                page.corrupt.append(seq)
                continue
            }
            page.rows.append(OutboxRow(seq: seq, records: records))
        }
        return page
    }
}
