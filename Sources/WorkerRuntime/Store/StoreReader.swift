import Foundation
import GRDB
import PostgreSQL

/// Read-only queries on a worker's store, whichever engine keeps it: a SQLite file (opened read-only, so it
/// works while the worker writes) or a `postgresql://` URL. For the operators' tools (`claim-status`,
/// `welfare-admin dlq`, `store copy`). Write the SQL for both engines: `?` placeholders, `"offset"` quoted.
public final class StoreReader {
    public let engine: StoreEngine
    private let sqlite: DatabaseQueue?
    private let postgres: PostgresConnection?

    public init(location: String) throws {
        if PostgresConnection.isURL(location) {
            engine = .postgresql
            let connection = try PostgresConnection(url: location, sessionSetup: "SET default_transaction_read_only = on")
            postgres = connection
            sqlite = nil
        } else {
            engine = .sqlite
            sqlite = try SQLiteStore.openReadOnly(path: location)
            postgres = nil
        }
    }

    /// Every row of a query, its cells as text (integers in decimal), bytes or nil.
    public func rows(_ sql: String, _ arguments: [StoreValue] = []) throws -> [StoreRow] {
        if let sqlite {
            return try sqlite.read { db in
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments.map(\.sqlite))).map { row in
                    StoreRow(cells: row.databaseValues.map { value in
                        switch value.storage {
                        case .null: .null
                        case .int64(let number): .text(String(number))
                        case .double(let number): .text(String(number))
                        case .string(let text): .text(text)
                        case .blob(let data): .bytes([UInt8](data))
                        }
                    })
                }
            }
        }
        guard let postgres else { return [] }
        let result = try postgres.query(Self.numbered(sql), arguments.map(\.postgres))
        return (0..<result.rowCount).map { row in
            StoreRow(cells: (0..<result.columnCount).map { column in
                if result.isNull(row, column) { return .null }
                if result.isBytes(column) { return result.bytes(row, column).map(StoreRow.Cell.bytes) ?? .null }
                return result.text(row, column).map(StoreRow.Cell.text) ?? .null
            })
        }
    }

    /// `?` placeholders as PostgreSQL's `$1`, `$2`, … (outside quoted text).
    static func numbered(_ sql: String) -> String {
        var numbered = ""
        var index = 0
        var quoted = false
        for character in sql {
            if character == "'" { quoted.toggle() }
            if character == "?" && !quoted {
                index += 1
                numbered += "$\(index)"
            } else {
                numbered.append(character)
            }
        }
        return numbered
    }
}

/// A query argument for either engine.
public enum StoreValue: Sendable {
    case text(String)
    case integer(Int64)

    var sqlite: (any DatabaseValueConvertible)? {
        switch self {
        case .text(let text): text
        case .integer(let number): number
        }
    }

    var postgres: PostgresValue {
        switch self {
        case .text(let text): .text(text)
        case .integer(let number): .integer(number)
        }
    }
}

/// One row a `StoreReader` returned.
public struct StoreRow: Sendable {
    public enum Cell: Sendable, Equatable {
        case null
        case text(String)
        case bytes([UInt8])
    }

    public let cells: [Cell]

    public func text(_ column: Int) -> String? {
        guard column < cells.count, case .text(let text) = cells[column] else { return nil }
        return text
    }

    public func integer(_ column: Int) -> Int64? { text(column).flatMap { Int64($0) } }

    public func bytes(_ column: Int) -> [UInt8]? {
        guard column < cells.count, case .bytes(let bytes) = cells[column] else { return nil }
        return bytes
    }
}
