/// A statement that takes its rows as arrays, one parameter per column, e.g.
/// `INSERT INTO t (a, b) SELECT * FROM unnest($1::text[], $2::bigint[])`, or an `UPDATE … FROM unnest(…)`.
/// Rows handed to `PostgresConnection.sendRow` inside a pipelined transaction wait and go together as one
/// statement: set-based writes instead of one statement per row. Statements go in groups (inserts, then
/// updates), so a row that two different update statements change in one transaction may see them in either
/// order: give each table's updates one statement.
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
    /// For an update or an upsert: the columns that name the row it changes. A later row naming the same one
    /// replaces the earlier (an `UPDATE … FROM` changes a row only once, by one of them, and an
    /// `INSERT … ON CONFLICT DO UPDATE` refuses to change it twice).
    public let key: [Int]

    public init(insert sql: String, columns: Int) {
        self.sql = sql
        self.columns = columns
        kind = .insert
        key = []
    }

    /// An `INSERT … ON CONFLICT (key) DO UPDATE` whose last row for a key is the one that counts.
    public init(upsert sql: String, columns: Int, key: [Int]) {
        self.sql = sql
        self.columns = columns
        kind = .insert
        self.key = key
    }

    public init(update sql: String, columns: Int, key: Int) {
        self.sql = sql
        self.columns = columns
        kind = .update
        self.key = [key]
    }
}

/// Rows waiting for one `RowStatement`, in the order they came.
struct WaitingRows {
    var rows: [[PostgresValue]] = []
    /// For a keyed statement: where each key's row is in `rows`.
    var rowOfKey: [[PostgresValue]: Int] = [:]

    mutating func add(_ values: [PostgresValue], key: [Int]) {
        if !key.isEmpty {
            let named = key.map { $0 < values.count ? values[$0] : .null }
            if let row = rowOfKey[named] {
                rows[row] = values
                return
            }
            rowOfKey[named] = rows.count
        }
        rows.append(values)
    }

    /// One array literal per column.
    func parameters(columns: Int) -> [PostgresValue] {
        (0..<columns).map { column in .text(PostgresValue.arrayLiteral(rows.lazy.map { column < $0.count ? $0[column] : .null })) }
    }
}
