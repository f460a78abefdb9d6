import GRDB
import Kafka

/// The ledger of outcomes in `runtime_events` (one row per event id, its outcome with it),
/// `runtime_other_outcomes` and `runtime_outbox`, through statements prepared once per transaction.
struct SQLiteOutcomeLedger: OutcomeLedger {
    private let database: Database
    private let claim: FastStatement
    private let lookup: FastStatement
    private let reject: FastStatement
    private let releaseID: FastStatement
    private let otherOutcome: FastStatement
    private let outbox: FastStatement

    init(_ db: Database) throws {
        database = db
        claim = try FastStatement(db, sql: """
            INSERT INTO runtime_events (event_id, value_hash, topic, partition, offset, event_type, outcome)
            VALUES (?, ?, ?, ?, ?, ?, 'applied') ON CONFLICT (event_id) DO NOTHING
            """)
        lookup = try FastStatement(db, sql: "SELECT value_hash FROM runtime_events WHERE event_id = ?")
        reject = try FastStatement(db, sql: "UPDATE runtime_events SET outcome = 'rejected', reason_code = ?, detail = ? WHERE event_id = ?")
        releaseID = try FastStatement(db, sql: "DELETE FROM runtime_events WHERE event_id = ?")
        otherOutcome = try FastStatement(db, sql: """
            INSERT INTO runtime_other_outcomes (topic, partition, offset, event_id, event_type, outcome, reason_code, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        outbox = try FastStatement(db, sql: "INSERT INTO runtime_outbox (messages) VALUES (?)")
    }

    func claim(eventID: String, valueHash: [UInt8], topic: String, partition: Int32, offset: Int64, eventType: String) throws -> Bool {
        try claim.execute(.text(eventID), .blob(valueHash), .text(topic), .integer(Int64(partition)), .integer(offset), .text(eventType))
        return claim.changes > 0
    }

    func earlierHash(of eventID: String) throws -> [UInt8]? {
        try lookup.blob(.text(eventID))
    }

    func markRejected(eventID: String, reasonCode: String, detail: String) throws {
        try reject.execute(.text(reasonCode), .text(detail), .text(eventID))
    }

    func release(eventID: String) throws {
        try releaseID.execute(.text(eventID))
    }

    func recordOutcome(topic: String, partition: Int32, offset: Int64, eventID: String?, eventType: String?, outcome: MessageOutcome,
                       reasonCode: String?, detail: String?) throws {
        try otherOutcome.execute(.text(topic), .integer(Int64(partition)), .integer(offset), .optionalText(eventID), .optionalText(eventType),
                                 .text(outcome.rawValue), .optionalText(reasonCode), .optionalText(detail))
    }

    func appendOutbox(_ packed: PackedMessages, records: [ProducerRecord]) throws -> OutboxRow {
        try outbox.execute(.blob(packed.bytes))
        return OutboxRow(seq: database.lastInsertedRowID, records: records)
    }
}
