import Foundation
import GRDB
import SQLiteTuning
import Kafka

/// A worker's store in one SQLite file: WAL mode, created with mode 0600, migrated in code. The first
/// `RuntimeStore` engine, and the one a single instance on one machine uses.
///
/// The runtime's own tables (offsets, message outcomes, event ids, outbox) and the domain's tables share
/// one migrator, so one transaction covers a batch's domain effects, outcomes, outbox rows and offsets.
public final class SQLiteStore: Sendable {
    public let path: String
    /// The single writing connection. Its calls block: use it from the worker's own thread.
    package let queue: DatabaseQueue

    /// SQLite's page cache for the writing connection unless a worker says otherwise: a 10,000-event
    /// batch's dirty pages fit, so they reach the WAL only at commit.
    public static let defaultCacheMegabytes = 32
    /// The page size of a new store, in bytes.
    public static let pageSize = 8192

    /// Opens (creating if needed) and migrates the store for a domain's handler.
    public convenience init<Handler: DomainHandler>(path: String, busyTimeout: Duration = .seconds(2), cacheMegabytes: Int = SQLiteStore.defaultCacheMegabytes,
                                                    for handler: Handler) throws {
        try self.init(path: path, busyTimeout: busyTimeout, cacheMegabytes: cacheMegabytes, schema: handler.schema(for: .sqlite))
    }

    /// Opens (creating if needed) and migrates the store: the runtime's tables, then `schema`, the domain's.
    public init(path: String, busyTimeout: Duration = .seconds(2), cacheMegabytes: Int = SQLiteStore.defaultCacheMegabytes,
                schema: [SchemaMigration]) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if !FileManager.default.fileExists(atPath: path) {
            guard SQLiteStore.createPrivateFile(atPath: path) else { throw StoreError("cannot create store \(path)") }
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(Double(busyTimeout.components.seconds) + Double(busyTimeout.components.attoseconds) / 1e18)
        configuration.label = "welfare.store"
        configuration.prepareDatabase { db in
            // 8 KiB pages for a new store (an existing one keeps its own): a batch's random index inserts dirty
            // fewer pages, so fewer WAL frames per event; larger pages gained nothing more.
            try db.execute(sql: "PRAGMA page_size = \(SQLiteStore.pageSize)")
            // WAL with synchronous=NORMAL: a commit survives a process crash; after a power loss the last
            // commits may roll back, effects and offsets together, so nothing is lost or doubled.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A batch's pages stay in memory until commit instead of spilling to the WAL mid-transaction.
            try db.execute(sql: "PRAGMA cache_size = -\(cacheMegabytes * 1024)")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Deleted content is zeroed where its page is written anyway, but a page that falls empty (the
            // outbox's, once delivered) is not written again just to zero it, as Debian's SQLite does by
            // default. The file stays private to its owner.
            try db.execute(sql: "PRAGMA secure_delete = FAST")
            // Checkpoints run on the Checkpointer's own connection and thread, which also makes the WAL start
            // over every ~64 MB. The writer's own auto-checkpoint is the backstop for when readers or back-to-back
            // transactions keep that from finishing: at 256 MB, between two batches. A restarted WAL keeps its
            // file (overwriting allocated blocks is cheaper than growing a cut-back file again); only beyond
            // 512 MB, after a reader held it up, is it cut back.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \((256 << 20) / SQLiteStore.pageBytes(of: db))")
            try db.execute(sql: "PRAGMA journal_size_limit = 536870912")
            // For migrations that file existing rows in a `LeveledIdIndex`.
            for function in LeveledIdIndex.sqlFunctions() { db.add(function: function) }
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        RuntimeSchema.register(in: &migrator)
        Self.register(schema, in: &migrator)
        try queue.write { db in
            if try migrator.hasBeenSuperseded(db) {
                throw StoreError("store \(path) was written by a newer version of this worker; refusing to run an older one on it")
            }
        }
        // A step that rebuilds a table or files existing ids sorts millions of rows: that sort spills to
        // temporary files instead of memory, so that the worker's first start after an upgrade stays within
        // its memory (the cache's worth) on a store of years of events.
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA temp_store = FILE") }
        try migrator.migrate(queue)
        try queue.writeWithoutTransaction { try $0.execute(sql: "PRAGMA temp_store = MEMORY") }
    }

    /// Adds a domain's schema steps to a migrator, each in order.
    package static func register(_ schema: [SchemaMigration], in migrator: inout DatabaseMigrator) {
        for step in schema {
            migrator.registerMigration(step.identifier) { db in try db.execute(sql: step.sql) }
        }
    }

    /// Sets SQLite up for a worker process: without memory statistics, whose global mutex every SQLite
    /// allocation takes. Call it first thing, before any database is opened; later calls change nothing.
    /// True when the setting took effect.
    @discardableResult
    public static func tuneSQLiteForThisProcess() -> Bool { sqliteTuned }

    private static let sqliteTuned = welfare_sqlite_skip_memory_statistics() == 0

    /// The page size of an open store in bytes, which is also the size of its WAL frames.
    static func pageBytes(of db: Database) throws -> Int {
        max(512, try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 4096)
    }

    /// Creates an empty file readable and writable by its owner only (0600); false if it exists or cannot be
    /// made. (Foundation's `createFile` writes through a folder it leaves behind in /tmp on Linux.)
    public static func createPrivateFile(atPath path: String) -> Bool {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return false }
        close(descriptor)
        return true
    }

    /// The messages a store has finished, as the sum of its saved next offsets (a topic read from offset 0):
    /// how tools and tests tell progress, since `store.event_id_retention` deletes old outcome rows.
    package static func finishedMessageCount(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(next_offset), 0) FROM runtime_partition_offsets") ?? 0
    }

    /// Opens an existing store read-only (for lookups while a worker writes).
    package static func openReadOnly(path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError("no store at \(path)") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}

extension SQLiteStore: RuntimeStore {
    public var location: String { path }
    /// A file beside the store (`<store>.processing`).
    public func makeCrashMarker() throws -> any CrashMarker { try ProcessingMarker(storePath: path) }

    public func write<Result>(_ body: (StoreTransaction) throws -> Result) throws -> Result {
        try queue.write { db in try body(StoreTransaction(sqlite: db)) }
    }

    /// One process per SQLite store (its lock refuses a second one), so every partition is already this
    /// process's own.
    public func takeOwnership(of partitions: [TopicPartition]) throws {}

    public func saveNextOffsets(_ offsets: [TopicPartition: Int64], in transaction: StoreTransaction) throws {
        let upsert = try FastStatement(transaction.sqlite, sql: """
            INSERT INTO runtime_partition_offsets (topic, partition, next_offset) VALUES (?, ?, ?)
            ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset
            """)
        for (partition, next) in offsets {
            try upsert.execute(.text(partition.topic), .integer(Int64(partition.partition)), .integer(next))
        }
    }

    public func nextOffsets(topic: String) throws -> [Int32: Int64] {
        try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT partition, next_offset FROM runtime_partition_offsets WHERE topic = ?", arguments: [topic])
                .reduce(into: [Int32: Int64]()) { $0[$1["partition"]] = $1["next_offset"] }
        }
    }
}
