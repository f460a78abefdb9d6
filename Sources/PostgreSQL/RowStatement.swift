/// A statement that takes its rows as arrays, one parameter per column, e.g.
/// `INSERT INTO t (a, b) SELECT * FROM unnest($1::text[], $2::bigint[])`, or an `UPDATE … FROM unnest(…)`.
/// Rows handed to `PostgresConnection.sendRow` inside a pipelined transaction wait and go together as one
/// statement: set-based writes instead of one statement per row.
public struct RowStatement: Hashable, Sendable {
    /// Inserts go before updates, so that a row inserted in the transaction is there for an update to find.
    public enum Kind: Int, Sendable, Comparable {
        case insert
        case update

        public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public let sql: String
    public let columns: Int
    public let kind: Kind
    /// For an update: the column that names the row it changes. A later row naming the same one replaces the
    /// earlier (an `UPDATE … FROM` would change a row only once, by one of them).
    public let key: Int?

    public init(insert sql: String, columns: Int) {
        self.sql = sql
        self.columns = columns
        kind = .insert
        key = nil
    }

    public init(update sql: String, columns: Int, key: Int) {
        self.sql = sql
        self.columns = columns
        kind = .update
        self.key = key
    }
}

/// Rows waiting for one `RowStatement`, in the order they came.
struct WaitingRows {
    var rows: [[PostgresValue]] = []
    /// For an update: where each key's row is in `rows`.
    var rowOfKey: [PostgresValue: Int] = [:]

    mutating func add(_ values: [PostgresValue], key: Int?) {
        if let key, key < values.count {
            if let row = rowOfKey[values[key]] {
                rows[row] = values
                return
            }
            rowOfKey[values[key]] = rows.count
        }
        rows.append(values)
    }

    /// One array literal per column.
    func parameters(columns: Int) -> [PostgresValue] {
        (0..<columns).map { column in
            var literal = "{"
            for (index, row) in rows.enumerated() {
                if index > 0 { literal += "," }
                PostgresValue.appendArrayElement(column < row.count ? row[column] : .null, to: &literal)
            }
            return .text(literal + "}")
        }
    }
}
