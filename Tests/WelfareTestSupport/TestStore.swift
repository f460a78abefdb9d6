import Foundation
import PostgreSQL
import WorkerRuntime

/// A test's own store on either engine (a SQLite file in a temporary folder, or a new database in the test
/// PostgreSQL cluster), and queries that read both alike: the rule and replay tests run on both engines.
public final class TestStore: @unchecked Sendable {
    public let engine: StoreEngine
    /// What the runtime writes through.
    public let runtime: any RuntimeStore
    /// The SQLite store, for tests of SQLite itself.
    public let sqlite: SQLiteStore?
    /// Where the store is: a file path or a `postgresql://` URL.
    public let location: String
    /// The test's own reading connection, opened at the first query (used under `lock`).
    private var reader: StoreReader?
    private let lock = NSLock()

    public init<Domain: DomainHandler>(engine: StoreEngine, domain: Domain, directory: URL) throws {
        self.engine = engine
        switch engine {
        case .sqlite:
            location = directory.appendingPathComponent("\(domain.workerName)-\(UUID().uuidString).sqlite").path
            let store = try SQLiteStore(path: location, for: domain)
            sqlite = store
            runtime = store
        case .postgresql:
            location = try TestPostgres.newDatabase()
            runtime = try PostgresStore(url: location, for: domain)
            sqlite = nil
        }
    }

    /// An existing store (a stopped worker's SQLite file, or a PostgreSQL URL), brought to this build's schema.
    public init<Domain: DomainHandler>(existing location: String, domain: Domain) throws {
        self.location = location
        if PostgresConnection.isURL(location) {
            engine = .postgresql
            runtime = try PostgresStore(url: location, for: domain)
            sqlite = nil
        } else {
            engine = .sqlite
            let store = try SQLiteStore(path: location, for: domain)
            sqlite = store
            runtime = store
        }
    }

    /// Every row of a query as text cells: integers in decimal, blobs in lowercase hex, NULL as nil. Write
    /// the SQL for both engines: `?` placeholders, `"offset"` quoted (`StoreReader`).
    public func rows(_ sql: String, _ arguments: [String] = []) throws -> [[String?]] {
        lock.lock()
        defer { lock.unlock() }
        if reader == nil { reader = try StoreReader(location: location) }
        return try (reader?.rows(sql, arguments.map(StoreValue.text)) ?? []).map { row in
            row.cells.map { cell -> String? in
                switch cell {
                case .null: nil
                case .text(let text): text
                case .bytes(let bytes): bytes.map { String(format: "%02x", $0) }.joined()
                }
            }
        }
    }

    /// The first column of every row, as text ("NULL" for a null).
    public func strings(_ sql: String, _ arguments: [String] = []) throws -> [String] {
        try rows(sql, arguments).map { $0.first.flatMap { $0 } ?? "NULL" }
    }

    /// Every row as one line of text, for comparing two stores.
    public func dump(_ sql: String) throws -> [String] {
        try rows(sql).map { $0.map { $0 ?? "NULL" }.joined(separator: "|") }
    }

    /// One integer (the first column of the first row), or nil.
    public func integer(_ sql: String, _ arguments: [String] = []) throws -> Int64? {
        try rows(sql, arguments).first?.first.flatMap { $0 }.flatMap { Int64($0) }
    }

    /// The messages finished (the sum of the saved next offsets; the input read from offset 0).
    public func finishedMessages() throws -> Int {
        Int(try integer("SELECT COALESCE(SUM(next_offset), 0) FROM runtime_partition_offsets") ?? 0)
    }
}
