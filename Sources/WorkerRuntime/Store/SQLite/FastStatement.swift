import GRDB
import GRDBSQLite

/// A cached prepared statement bound and stepped through SQLite's C API, for the per-message hot path
/// (GRDB's argument arrays cost more than the SQL itself there). Use only inside the transaction of
/// the `Database` it came from. Public (not `package`) so that release builds inline it into the domains'
/// SQLite records across modules, as the per-event calls need.
public struct FastStatement {
    private let statement: Statement
    private let handle: OpaquePointer
    private let connection: OpaquePointer?

    /// Prepares (once per connection, then from GRDB's cache) a statement for `db`.
    public init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        connection = db.sqliteConnection
    }

    /// Runs a statement that returns no rows (binding first).
    public func execute(_ values: FastValue...) throws {
        try bound(values) { try stepToEnd() }
    }

    /// Runs a query and returns its first row's first column as an integer (nil for no row or NULL).
    public func integer(_ values: FastValue...) throws -> Int64? {
        try firstRow(values) { handle in sqlite3_column_type(handle, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, 0) } ?? nil
    }

    /// Runs a query and returns its first row's first column as bytes (nil for no row).
    public func blob(_ values: FastValue...) throws -> [UInt8]? {
        try firstRow(values) { handle in
            let count = Int(sqlite3_column_bytes(handle, 0))
            guard let pointer = sqlite3_column_blob(handle, 0) else { return [] }
            return [UInt8](UnsafeRawBufferPointer(start: pointer, count: count))
        }
    }

    /// Runs a query and decodes its first row (nil for no row).
    public func row<Value>(_ values: FastValue..., decode: (FastRow) -> Value) throws -> Value? {
        try firstRow(values) { handle in decode(FastRow(handle: handle)) }
    }

    /// Whether a query returns a row.
    public func exists(_ values: FastValue...) throws -> Bool {
        try firstRow(values) { _ in true } ?? false
    }

    /// Rows changed by the last `execute`.
    public var changes: Int { Int(sqlite3_changes(connection)) }

    /// Steps a query once with `values` bound and reads its first row, if any.
    private func firstRow<Value>(_ values: [FastValue], _ read: (OpaquePointer) -> Value) throws -> Value? {
        try bound(values) {
            let code = sqlite3_step(handle)
            defer { sqlite3_reset(handle) }
            if code == SQLITE_ROW { return read(handle) }
            if code == SQLITE_DONE { return nil }
            throw failure(code)
        }
    }

    /// Runs `body` with `values` bound. Text and bytes are bound in place (SQLITE_STATIC), without SQLite
    /// copying them: their buffers live for the nested closures' span only, so `body` steps and resets the
    /// statement inside, and the bindings are cleared before returning (no statement keeps a dangling one).
    private func bound<Result>(_ values: [FastValue], _ body: () throws -> Result) throws -> Result {
        sqlite3_reset(handle)
        defer { sqlite3_clear_bindings(handle) }
        return try bind(values, from: 0, body)
    }

    private func bind<Result>(_ values: [FastValue], from offset: Int, _ body: () throws -> Result) throws -> Result {
        guard offset < values.count else { return try body() }
        let index = Int32(offset + 1)
        switch values[offset] {
        case .null:
            sqlite3_bind_null(handle, index)
        case .integer(let number):
            sqlite3_bind_int64(handle, index, number)
        case .text(var text):
            return try text.withUTF8 { buffer in
                if let base = buffer.baseAddress, buffer.count > 0 {
                    _ = base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { sqlite3_bind_text(handle, index, $0, Int32(buffer.count), nil) }
                } else {
                    _ = sqlite3_bind_text(handle, index, "", 0, FastStatement.transient)
                }
                return try bind(values, from: offset + 1, body)
            }
        case .blob(let bytes):
            return try bytes.withUnsafeBytes { buffer in
                if let base = buffer.baseAddress, buffer.count > 0 {
                    _ = sqlite3_bind_blob(handle, index, base, Int32(buffer.count), nil)
                } else {
                    _ = sqlite3_bind_zeroblob(handle, index, 0)
                }
                return try bind(values, from: offset + 1, body)
            }
        }
        return try bind(values, from: offset + 1, body)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func stepToEnd() throws {
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            if code != SQLITE_ROW { sqlite3_reset(handle); throw failure(code) }
        }
        sqlite3_reset(handle)
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "SQLite error \(code)"
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}

/// The current row of a `FastStatement` query, read by column position. Valid only inside `row`'s closure.
public struct FastRow {
    fileprivate let handle: OpaquePointer

    public func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    public func optionalInteger(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }
    public func text(_ column: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, column) else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }
    public func optionalText(_ column: Int32) -> String? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : text(column)
    }
}

/// A value bound to a `FastStatement` parameter.
public enum FastValue {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])

    public static func int(_ value: Int) -> FastValue { .integer(Int64(value)) }
    public static func optionalText(_ value: String?) -> FastValue { value.map(FastValue.text) ?? .null }
    public static func optionalInteger(_ value: Int64?) -> FastValue { value.map(FastValue.integer) ?? .null }
    public static func bool(_ value: Bool) -> FastValue { .integer(value ? 1 : 0) }
}

