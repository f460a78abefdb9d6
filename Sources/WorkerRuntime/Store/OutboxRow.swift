import Foundation
import GRDB
import Kafka

/// One row of the outbox: its sequence number and the messages packed in it (a batch's notifications
/// and dead-letter copies, in input order). A row is deleted once every one of its messages is delivered.
///
/// Each message's delivery token names its row and its place in the row (`token(seq:index:)`).
public struct OutboxRow: Sendable {
    public let seq: Int64
    public let records: [ProducerRecord]

    public init(seq: Int64, records: [ProducerRecord]) {
        self.seq = seq
        self.records = records
    }

    /// Bits of a token that hold a message's place in its row.
    static let indexBits = 20
    /// Most messages packed into one row (a longer batch writes several rows).
    public static let maxMessages = 1 << indexBits
    /// Packed bytes past which a batch starts another row: a row's buffer is reserved once at this size
    /// (plus a message), where one growing buffer per batch held up to twice its bytes.
    public static let maxBytes = 1 << 20

    /// The delivery token of the `index`-th message of row `seq`.
    public static func token(seq: Int64, index: Int) -> UInt64 { UInt64(bitPattern: seq) << indexBits | UInt64(index) }

    /// The row and the place in it that a token names.
    public static func position(of token: UInt64) -> (seq: Int64, index: Int) {
        (Int64(bitPattern: token >> indexBits), Int(token & UInt64(maxMessages - 1)))
    }

    static let insertSQL = "INSERT INTO runtime_outbox (messages) VALUES (?)"

    /// Writes packed messages as a new row inside the open transaction and returns it.
    static func insert(_ packed: PackedMessages, records: [ProducerRecord], using statement: FastStatement, db: Database) throws -> OutboxRow {
        try statement.execute(.blob(packed.bytes))
        return OutboxRow(seq: db.lastInsertedRowID, records: records)
    }

    /// Rows still waiting after a sequence number, oldest first. Rows that cannot be read as packed
    /// messages are left out and their numbers added to `corrupt`, to be set aside.
    static func pending(db: Database, after seq: Int64, limit: Int, corrupt: inout [Int64]) throws -> [OutboxRow] {
        try decode(Row.fetchAll(db, sql: "SELECT seq, messages FROM runtime_outbox WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]),
                   corrupt: &corrupt)
    }

    /// These rows, if still waiting, oldest first (corrupt ones as above).
    static func pending(db: Database, only seqs: Set<Int64>, corrupt: inout [Int64]) throws -> [OutboxRow] {
        guard !seqs.isEmpty else { return [] }
        return try decode(Row.fetchAll(db, sql: "SELECT seq, messages FROM runtime_outbox WHERE seq IN (\(seqs.sorted().map(String.init).joined(separator: ","))) ORDER BY seq"),
                          corrupt: &corrupt)
    }

    private static func decode(_ rows: [Row], corrupt: inout [Int64]) throws -> [OutboxRow] {
        rows.compactMap { row in
            let seq: Int64 = row["seq"]
            guard let bytes = row["messages"] as Data?, let records = PackedMessages.unpack([UInt8](bytes)) else {
                corrupt.append(seq)
                return nil
            }
            return OutboxRow(seq: seq, records: records)
        }
    }

    /// Moves rows that cannot be read out of the outbox into `runtime_outbox_set_aside`, kept for a person
    /// to look at, so that they never hold up start-up or the rows after them.
    static func setAside(_ seqs: [Int64], db: Database) throws {
        for seq in seqs {
            try db.execute(sql: """
                INSERT OR REPLACE INTO runtime_outbox_set_aside (seq, messages, set_aside_at) SELECT seq, messages, ? FROM runtime_outbox WHERE seq = ?
                """, arguments: [Date().formatted(.iso8601), seq])
            try db.execute(sql: "DELETE FROM runtime_outbox WHERE seq = ?", arguments: [seq])
        }
    }

    /// Deletes delivered rows, a range at a time (deliveries mostly confirm in order).
    static func delete(_ seqs: [Int64], db: Database) throws {
        guard !seqs.isEmpty else { return }
        let statement = try FastStatement(db, sql: "DELETE FROM runtime_outbox WHERE seq BETWEEN ? AND ?")
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
