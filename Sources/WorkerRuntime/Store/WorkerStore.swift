import Foundation
import GRDB

/// A worker's SQLite store: one file, WAL mode, created with mode 0600, migrated in code.
///
/// The runtime's own tables (offsets, message outcomes, event ids, outbox) and the domain's tables share
/// one migrator, so one transaction covers a batch's domain effects, outcomes, outbox rows and offsets.
public final class WorkerStore: Sendable {
    public let path: String
    /// The single writing connection. Its calls block: use it from the worker's own thread.
    public let queue: DatabaseQueue

    /// Opens (creating if needed) and migrates the store. `domainMigrations` adds the domain's tables.
    public init(path: String, busyTimeout: Duration = .seconds(2), domainMigrations: (inout DatabaseMigrator) -> Void) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw StoreError("cannot create store \(path)")
            }
        }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(Double(busyTimeout.components.seconds) + Double(busyTimeout.components.attoseconds) / 1e18)
        configuration.label = "welfare.store"
        configuration.prepareDatabase { db in
            // WAL with synchronous=NORMAL: a commit survives a process crash; after a power loss the last
            // commits may roll back, effects and offsets together, so nothing is lost or doubled.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A batch's pages stay in memory until commit instead of spilling to the WAL mid-transaction.
            try db.execute(sql: "PRAGMA cache_size = -32768")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
            // Checkpoints run on the Checkpointer's own connection and thread. Under sustained writes its
            // PASSIVE checkpoints never catch up with the newest frames, so the WAL would never restart and
            // would grow without bound (1.5 GB for 500,000 events, measured); a writer-side checkpoint once
            // the WAL holds 64 MB finishes the little that is left between two batches, and the next batch
            // starts the WAL from its beginning. The file is cut back to 64 MB after that.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 16384")
            try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
        }
        queue = try DatabaseQueue(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        RuntimeSchema.register(in: &migrator)
        domainMigrations(&migrator)
        try queue.write { db in
            if try migrator.hasBeenSuperseded(db) {
                throw StoreError("store \(path) was written by a newer version of this worker; refusing to run an older one on it")
            }
        }
        try migrator.migrate(queue)
    }

    /// Opens an existing store read-only (for lookups while a worker writes).
    public static func openReadOnly(path: String) throws -> DatabaseQueue {
        guard FileManager.default.fileExists(atPath: path) else { throw StoreError("no store at \(path)") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(5)
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}
