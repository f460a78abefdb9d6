import Foundation
import GRDB
import WorkerRuntime

/// An online, consistent copy of a worker's store, taken while the worker runs: SQLite's `VACUUM INTO`
/// reads one snapshot of the WAL-mode database (the worker keeps writing) and writes a compact copy,
/// which is then checked (`PRAGMA integrity_check`) and counted. The copy is created with mode 0600,
/// like the store, because it holds the same personal data.
public struct StoreBackup: Sendable {
    /// What a finished backup holds.
    public struct Summary: Sendable {
        public let path: String
        public let bytes: Int64
        /// Rows per table of the copy, by table name.
        public let rowCounts: [String: Int]
    }

    public let storePath: String

    public init(storePath: String) {
        self.storePath = storePath
    }

    /// Copies the store to `destination`, which must not exist yet.
    public func copy(to destination: String) throws -> Summary {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw OperationsError("\(destination) already exists; a backup never overwrites a file")
        }
        let directory = (destination as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // An empty file made with 0600 first: VACUUM INTO accepts an empty target and keeps its mode.
        guard SQLiteStore.createPrivateFile(atPath: destination) else {
            throw OperationsError("cannot create \(destination)")
        }
        do {
            let source = try SQLiteStore.openReadOnly(path: storePath)
            try source.inDatabase { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [destination])
            }
            return try Self.verify(path: destination)
        } catch {
            try? FileManager.default.removeItem(atPath: destination)
            if let problem = error as? OperationsError { throw problem }
            throw OperationsError("backup of \(storePath) failed: \(error)")
        }
    }

    /// Checks a store file's integrity and counts the rows of each of its tables.
    public static func verify(path: String) throws -> Summary {
        let copy = try SQLiteStore.openReadOnly(path: path)
        let counts = try copy.read { db -> [String: Int] in
            let check = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            guard check == ["ok"] else { throw OperationsError("\(path) failed its integrity check: \(check.prefix(3).joined(separator: "; "))") }
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
            var counts: [String: Int] = [:]
            for table in tables {
                counts[table] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.quotedDatabaseIdentifier)") ?? 0
            }
            return counts
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber
        return Summary(path: path, bytes: size?.int64Value ?? 0, rowCounts: counts)
    }
}
