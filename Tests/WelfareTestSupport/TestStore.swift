import Foundation
import GRDB
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
    /// A connection of the test's own for reading a PostgreSQL store (used under `lock`).
    private let reader: PostgresConnection?
    private let lock = NSLock()

    public init<Domain: DomainHandler>(engine: StoreEngine, domain: Domain, directory: URL) throws {
        self.engine = engine
        switch engine {
        case .sqlite:
            location = directory.appendingPathComponent("\(domain.workerName)-\(UUID().uuidString).sqlite").path
            let store = try SQLiteStore(path: location, for: domain)
            sqlite = store
            runtime = store
            reader = nil
        case .postgresql:
            location = try TestPostgres.newDatabase()
            runtime = try PostgresStore(url: location, for: domain)
            sqlite = nil
            reader = try PostgresConnection(url: location)
        }
    }

    /// An existing store (a stopped worker's SQLite file, or a PostgreSQL URL), brought to this build's schema.
    public init<Domain: DomainHandler>(existing location: String, domain: Domain) throws {
        self.location = location
        if PostgresConnection.isURL(location) {
            engine = .postgresql
            runtime = try PostgresStore(url: location, for: domain)
            sqlite = nil
            reader = try PostgresConnection(url: location)
        } else {
            engine = .sqlite
            let store = try SQLiteStore(path: location, for: domain)
            sqlite = store
            runtime = store
            reader = nil
        }
    }

    /// Every row of a query as text cells: integers in decimal, blobs in lowercase hex, NULL as nil. Write
    /// the SQL for both engines: `?` placeholders, `"offset"` quoted.
    public func rows(_ sql: String, _ arguments: [String] = []) throws -> [[String?]] {
        if let sqlite {
            return try sqlite.queue.read { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                    row.databaseValues.map { value -> String? in
                        switch value.storage {
                        case .null: nil
                        case .int64(let number): String(number)
                        case .double(let number): String(number)
                        case .string(let text): text
                        case .blob(let data): data.map { String(format: "%02x", $0) }.joined()
                        }
                    }
                }
            }
        }
        guard let reader else { return [] }
        var numbered = ""
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                numbered += "$\(index)"
            } else {
                numbered.append(character)
            }
        }
        lock.lock()
        defer { lock.unlock() }
        let result = try reader.query(numbered, arguments.map(PostgresValue.text))
        return (0..<result.rowCount).map { row in
            (0..<result.columnCount).map { column in
                result.isBytes(column) ? result.bytes(row, column).map { $0.map { String(format: "%02x", $0) }.joined() } : result.text(row, column)
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
