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

    /// Inserts a message into the outbox inside the open transaction and returns its row.
    static func insert(_ record: ProducerRecord, db: Database) throws -> OutboxRecord {
        let statement = try db.cachedStatement(sql: "INSERT INTO runtime_outbox (topic, message_key, message_value, headers) VALUES (?, ?, ?, ?)")
        try statement.execute(arguments: [
            record.topic, record.key.map { Data($0) }, record.value.map { Data($0) }, encodeHeaders(record.headers),
        ])
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

    /// Deletes delivered rows.
    static func delete(_ seqs: [Int64], db: Database) throws {
        let statement = try db.cachedStatement(sql: "DELETE FROM runtime_outbox WHERE seq = ?")
        for seq in seqs { try statement.execute(arguments: [seq]) }
    }
}
