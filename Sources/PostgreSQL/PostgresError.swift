/// A failure reported by libpq or the server: the server's SQLSTATE when it sent one, and its message.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// The five-character SQLSTATE (`23505` unique violation, `40001` serialization failure), nil when the
    /// failure is the connection's own (the server went away, a socket error).
    public let sqlState: String?
    public let message: String

    public init(sqlState: String?, message: String) {
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String { sqlState.map { "PostgreSQL \($0): \(message)" } ?? "PostgreSQL: \(message)" }

    /// True when trying again later can cure it: the connection or the server (classes 08, 53, 57, 58),
    /// a serialization failure or deadlock (40001, 40P01), a lock not available (55P03), or no SQLSTATE
    /// (libpq's own connection failures).
    public var isTransient: Bool {
        guard let sqlState else { return true }
        if sqlState == "40001" || sqlState == "40P01" || sqlState == "55P03" { return true }
        return ["08", "53", "57", "58"].contains(String(sqlState.prefix(2)))
    }
}
