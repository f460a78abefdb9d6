import Foundation
import GRDB

/// The outbox in `runtime_outbox`: rows of packed messages in append order (`seq`), deleted once delivered.
extension SQLiteStore {
    public func pendingOutbox(after seq: Int64, limit: Int) throws -> OutboxPage {
        try queue.read { db in
            Self.decode(try Row.fetchAll(db, sql: "SELECT seq, messages FROM runtime_outbox WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]))
        }
    }

    public func pendingOutbox(only seqs: Set<Int64>) throws -> OutboxPage {
        guard !seqs.isEmpty else { return OutboxPage(rows: [], corrupt: []) }
        return try queue.read { db in
            Self.decode(try Row.fetchAll(db, sql: "SELECT seq, messages FROM runtime_outbox WHERE seq IN (\(seqs.sorted().map(String.init).joined(separator: ","))) ORDER BY seq"))
        }
    }

    /// Rows that cannot be read as packed messages are left out and named in `corrupt`, to be set aside.
    private static func decode(_ rows: [Row]) -> OutboxPage {
        var corrupt: [Int64] = []
        let decoded = rows.compactMap { row -> OutboxRow? in
            let seq: Int64 = row["seq"]
            guard let bytes = row["messages"] as Data?, let records = PackedMessages.unpack([UInt8](bytes)) else {
                corrupt.append(seq)
                return nil
            }
            return OutboxRow(seq: seq, records: records)
        }
        return OutboxPage(rows: decoded, corrupt: corrupt)
    }

    /// Moves rows that cannot be read into `runtime_outbox_set_aside`, kept for a person to look at, so that
    /// they never hold up start-up or the rows after them.
    public func setAside(_ seqs: [Int64]) throws {
        try queue.write { db in
            for seq in seqs {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO runtime_outbox_set_aside (seq, messages, set_aside_at) SELECT seq, messages, ? FROM runtime_outbox WHERE seq = ?
                    """, arguments: [Date().formatted(.iso8601), seq])
                try db.execute(sql: "DELETE FROM runtime_outbox WHERE seq = ?", arguments: [seq])
            }
        }
    }

    /// Deletes delivered rows, a range at a time (deliveries mostly confirm in order).
    public func deleteDelivered(_ seqs: [Int64], in transaction: StoreTransaction) throws {
        guard !seqs.isEmpty else { return }
        let statement = try FastStatement(transaction.sqlite, sql: "DELETE FROM runtime_outbox WHERE seq BETWEEN ? AND ?")
        let sorted = seqs.sorted()
        var start = sorted[0]
        var end = start
        for seq in sorted.dropFirst() {
            if seq == end + 1 { end = seq; continue }
            try statement.execute(.integer(start), .integer(end))
            start = seq
            end = seq
        }
        try statement.execute(.integer(start), .integer(end))
    }
}
