import Foundation
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
}
