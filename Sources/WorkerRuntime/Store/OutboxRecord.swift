import Foundation
import GRDB
import Kafka

/// A message waiting in the outbox, with its sequence number (the delivery token).
public struct OutboxRecord: Sendable {
    public let seq: Int64
    public let record: ProducerRecord

    /// Headers as stored: a JSON array of `[name, value]` pairs (all header values here are text).
    static func encodeHeaders(_ headers: [KafkaHeader]) -> String? {
        guard !headers.isEmpty else { return nil }
        let value = JSONValue.array(headers.map { .array([.string($0.name), .string($0.text ?? "")]) })
        return String(decoding: JSONWriter.encode(value), as: UTF8.self)
    }

    static func decodeHeaders(_ text: String?) -> [KafkaHeader] {
        guard let text, case .array(let pairs)? = try? JSONParser.parse(Array(text.utf8)) else { return [] }
        return pairs.compactMap { pair in
            guard case .array(let parts) = pair, parts.count == 2, let name = parts[0].stringValue, let value = parts[1].stringValue else { return nil }
            return KafkaHeader(name, value)
        }
    }

    static let insertSQL = "INSERT INTO runtime_outbox (topic, message_key, message_value, headers) VALUES (?, ?, ?, ?)"

    /// Inserts a message into the outbox inside the open transaction and returns its row.
    static func insert(_ record: ProducerRecord, using statement: FastStatement, db: Database) throws -> OutboxRecord {
        try statement.execute(.text(record.topic), record.key.map(FastValue.blob) ?? .null, record.value.map(FastValue.blob) ?? .null,
                              .optionalText(encodeHeaders(record.headers)))
        return OutboxRecord(seq: db.lastInsertedRowID, record: record)
    }

    /// Rows still waiting after a sequence number, oldest first.
    static func pending(db: Database, after seq: Int64, limit: Int) throws -> [OutboxRecord] {
        decode(try Row.fetchAll(db, sql: "SELECT * FROM runtime_outbox WHERE seq > ? ORDER BY seq LIMIT ?", arguments: [seq, limit]))
    }

    /// These rows, if still waiting, oldest first.
    static func pending(db: Database, only seqs: [Int64]) throws -> [OutboxRecord] {
        guard !seqs.isEmpty else { return [] }
        return decode(try Row.fetchAll(db, sql: "SELECT * FROM runtime_outbox WHERE seq IN (\(seqs.map(String.init).joined(separator: ","))) ORDER BY seq"))
    }

    private static func decode(_ rows: [Row]) -> [OutboxRecord] {
        return rows.map { row in
            let key: Data? = row["message_key"]
            let value: Data? = row["message_value"]
            return OutboxRecord(seq: row["seq"], record: ProducerRecord(
                topic: row["topic"], key: key.map { [UInt8]($0) }, value: value.map { [UInt8]($0) },
                headers: decodeHeaders(row["headers"])))
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
