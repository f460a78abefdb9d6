import Foundation
import GRDB
import PostgreSQL
import WorkerRuntime

/// Moves a stopped worker's SQLite store into an empty PostgreSQL database, offline, without replaying
/// Kafka (`welfare-admin store copy`): every table the PostgreSQL schema has, in one transaction, then
/// checked (row counts and saved offsets equal) before it commits.
///
/// Outbox rows left by the SQLite worker belong to no single partition there; they are given to partition 0,
/// whose owner delivers them (receivers drop repeats by notification id).
public struct StoreCopy {
    /// What was copied: rows per table, and the saved offsets.
    public struct Summary: Sendable {
        public let rowCounts: [String: Int]
        public let offsets: [Int32: Int64]
    }

    let sqlitePath: String
    let postgresURL: String

    public init(sqlitePath: String, postgresURL: String) {
        self.sqlitePath = sqlitePath
        self.postgresURL = postgresURL
    }

    /// Tables of the shared store's runtime with no counterpart in SQLite.
    static let postgresOnlyTables: Set<String> = ["runtime_processing"]

    /// Source expressions for PostgreSQL columns the SQLite tables keep another way, by table and column.
    static let sourceColumns: [String: [String: String]] = [
        "runtime_partition_offsets": ["owner_epoch": "0", "owner": "NULL", "owned_since": "NULL"],
        "runtime_events": [
            "topic": "(SELECT name FROM runtime_names WHERE code = topic_code)",
            "event_type": "(SELECT name FROM runtime_names WHERE code = type_code)",
            "seen_us": "coalesce(seen_us, (SELECT legacy_seen_us FROM runtime_retention WHERE id = 1), 0)",
        ],
        "runtime_other_outcomes": ["seen_us": "coalesce(seen_us, (SELECT legacy_seen_us FROM runtime_retention WHERE id = 1), 0)"],
        "runtime_outbox": ["partition": "0"],
        "runtime_outbox_set_aside": ["partition": "0"],
        "ma_claims": ["claim_no": "rowid"],
    ]

    /// Copies the store for `handler`'s domain. Refuses a worker still running on the SQLite store, or a
    /// target database that holds any row.
    public func copy<Handler: DomainHandler>(for handler: Handler) throws -> Summary {
        let lock = try StoreLock(storePath: sqlitePath)
        let source = try SQLiteStore(path: sqlitePath, for: handler)
        // Made (migrated) as the worker would make it; the copy then goes through a connection of its own.
        _ = try PostgresStore(url: postgresURL, for: handler)
        let target = try PostgresConnection(url: postgresURL)
        defer { target.close() }

        let tableRows = try target.query("""
            SELECT table_name FROM information_schema.tables
            WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'runtime_migrations' ORDER BY table_name
            """)
        // Tables only a shared store has start empty.
        let tables = (0..<tableRows.rowCount).compactMap { tableRows.text($0, 0) }.filter { !Self.postgresOnlyTables.contains($0) }
        for table in tables where try target.query("SELECT EXISTS (SELECT 1 FROM \(table))").boolean(0, 0) == true {
            throw StoreError("the target database is not empty (\(table) has rows); copy only into a new database")
        }

        var counts: [String: Int] = [:]
        try target.transaction {
            for table in tables {
                let columns = try Self.columns(of: table, in: target)
                let sourceHas = try source.queue.read { db in Set(try db.columns(in: table).map(\.name)) }
                let expressions = try columns.map { column -> String in
                    if let expression = Self.sourceColumns[table]?[column] { return expression }
                    guard sourceHas.contains(column) else { throw StoreError("\(table).\(column) has no source in the SQLite store") }
                    return "\"\(column)\""
                }
                let quoted = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                var copied = 0
                try source.queue.read { db in
                    let cursor = try Row.fetchCursor(db, sql: "SELECT \(expressions.joined(separator: ", ")) FROM \(table)")
                    let rows = AnySequence { AnyIterator { () -> [PostgresValue]? in
                        guard let row = try? cursor.next() else { return nil }
                        copied += 1
                        return row.databaseValues.map(Self.postgresValue)
                    } }
                    try target.copyIn("COPY \(table) (\(quoted)) FROM STDIN", rows: rows)
                }
                counts[table] = copied
                // Serial columns go on after the highest copied value.
                for column in columns {
                    let sequence = try target.query("SELECT pg_get_serial_sequence($1, $2)", [.text(table), .text(column)]).text(0, 0)
                    if let sequence, copied > 0 {
                        try target.query("SELECT setval($1::regclass, (SELECT max(\"\(column)\") FROM \(table)))", [.text(sequence)])
                    }
                }
            }
            // Checked inside the transaction: a difference rolls everything back.
            for table in tables {
                let copiedRows = Int(try target.query("SELECT count(*) FROM \(table)").integer(0, 0) ?? -1)
                let sourceRows = try source.queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM \(table)") ?? -2 }
                guard copiedRows == sourceRows else { throw StoreError("\(table): \(copiedRows) rows copied of \(sourceRows)") }
            }
        }
        let sourceOffsets = try source.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT topic, partition, next_offset FROM runtime_partition_offsets").map { "\($0["topic"] as String)/\($0["partition"] as Int)=\($0["next_offset"] as Int64)" }
        }
        let copiedOffsets = try target.query("SELECT topic, partition, next_offset FROM runtime_partition_offsets")
        let targetOffsets = (0..<copiedOffsets.rowCount).map { "\(copiedOffsets.text($0, 0) ?? "")/\(copiedOffsets.text($0, 1) ?? "")=\(copiedOffsets.text($0, 2) ?? "")" }
        guard Set(sourceOffsets) == Set(targetOffsets) else { throw StoreError("the saved offsets differ after the copy") }
        var offsets: [Int32: Int64] = [:]
        for row in 0..<copiedOffsets.rowCount {
            if let partition = copiedOffsets.integer(row, 1), let next = copiedOffsets.integer(row, 2) { offsets[Int32(partition)] = next }
        }
        withExtendedLifetime(lock) {}
        return Summary(rowCounts: counts, offsets: offsets)
    }

    static func columns(of table: String, in connection: PostgresConnection) throws -> [String] {
        let rows = try connection.query("""
            SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position
            """, [.text(table)])
        return (0..<rows.rowCount).compactMap { rows.text($0, 0) }
    }

    static func postgresValue(_ value: DatabaseValue) -> PostgresValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .text(String(number))
        case .string(let text): .text(text)
        case .blob(let data): .bytes([UInt8](data))
        }
    }
}
