import GRDB
import Kafka

/// The ledger of outcomes in `runtime_events` (one row per event id, its outcome with it; topic and event type
/// as codes of `runtime_names`; found by id through the `LeveledIdIndex` `runtime_event_keys`),
/// `runtime_other_outcomes` and `runtime_outbox`, through statements prepared once per transaction.
final class SQLiteOutcomeLedger: OutcomeLedger {
    private let database: Database
    private let names: NameCodes
    private let keys: LeveledIdIndex
    private let insertEvent: FastStatement
    private let lookup: FastStatement
    private let reject: FastStatement
    private let releaseRow: FastStatement
    private let otherOutcome: FastStatement
    private let outbox: FastStatement
    /// The last id claimed, its key and row: a rejection or release follows its claim.
    private var lastClaim: (eventID: String, key: Int64, row: Int64)?

    init(_ db: Database) throws {
        database = db
        names = try NameCodes(db)
        keys = try LeveledIdIndex(db, name: "runtime_event_keys", liveRowsFrom: "SELECT min(event_no) FROM runtime_events")
        insertEvent = try FastStatement(db, sql: """
            INSERT INTO runtime_events (event_id, value_hash, topic_code, partition, offset, type_code, outcome, seen_us)
            VALUES (?, ?, ?, ?, ?, ?, 'applied', ?)
            """)
        lookup = try FastStatement(db, sql: """
            SELECT value_hash, event_no FROM runtime_events
            WHERE event_no IN (\(LeveledIdIndex.rowNumbers("runtime_event_keys", keyParameter: 1))) AND event_id = ?2
            """)
        reject = try FastStatement(db, sql: "UPDATE runtime_events SET outcome = 'rejected', reason_code = ?, detail = ? WHERE event_no = ?")
        releaseRow = try FastStatement(db, sql: "DELETE FROM runtime_events WHERE event_no = ?")
        otherOutcome = try FastStatement(db, sql: """
            INSERT INTO runtime_other_outcomes (topic, partition, offset, event_id, event_type, outcome, reason_code, detail, seen_us)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
            """)
        outbox = try FastStatement(db, sql: "INSERT INTO runtime_outbox (messages) VALUES (?)")
    }

    func claim(eventID: String, valueHash: [UInt8], topic: String, partition: Int32, offset: Int64, eventType: String, seenAt: Int64) throws -> Bool {
        let key = LeveledIdIndex.key(of: eventID)
        if try lookup.exists(.integer(key), .text(eventID)) { return false }
        try insertEvent.execute(.text(eventID), .blob(valueHash), .integer(names.code(topic)), .integer(Int64(partition)), .integer(offset),
                                .integer(names.code(eventType)), .integer(seenAt))
        let row = database.lastInsertedRowID
        try keys.insert(key: key, row: row)
        lastClaim = (eventID, key, row)
        return true
    }

    func earlierHash(of eventID: String) throws -> [UInt8]? {
        try lookup.blob(.integer(LeveledIdIndex.key(of: eventID)), .text(eventID))
    }

    func markRejected(eventID: String, reasonCode: String, detail: String) throws {
        guard let (_, row) = try claimed(eventID) else { return }
        try reject.execute(.text(reasonCode), .text(detail), .integer(row))
    }

    func release(eventID: String) throws {
        guard let (key, row) = try claimed(eventID) else { return }
        try releaseRow.execute(.integer(row))
        try keys.remove(key: key, row: row)
        lastClaim = nil
    }

    /// The key and row of an id this transaction claimed.
    private func claimed(_ eventID: String) throws -> (key: Int64, row: Int64)? {
        if let lastClaim, lastClaim.eventID == eventID { return (lastClaim.key, lastClaim.row) }
        let key = LeveledIdIndex.key(of: eventID)
        return try lookup.row(.integer(key), .text(eventID)) { $0.integer(1) }.map { (key, $0) }
    }

    func recordOutcome(topic: String, partition: Int32, offset: Int64, eventID: String?, eventType: String?, outcome: MessageOutcome,
                       reasonCode: String?, detail: String?, seenAt: Int64) throws {
        try otherOutcome.execute(.text(topic), .integer(Int64(partition)), .integer(offset), .optionalText(eventID), .optionalText(eventType),
                                 .text(outcome.rawValue), .optionalText(reasonCode), .optionalText(detail), .integer(seenAt))
    }

    /// One process owns every partition of a SQLite store: a batch's messages share rows.
    var outboxRowPerPartition: Bool { false }

    func appendOutbox(_ packed: PackedMessages, records: [ProducerRecord], partition: Int32) throws -> OutboxRow {
        try outbox.execute(.blob(packed.bytes))
        return OutboxRow(seq: database.lastInsertedRowID, records: records)
    }

    func businessClock() throws -> Int64? {
        try FastStatement(database, sql: "SELECT clock_us FROM runtime_retention WHERE id = 1").integer()
    }

    /// Event rows are in append order and their times (the events' own) mostly rise with it, so the expired
    /// ones are the oldest rows by number. They go a step at a time, once a whole step has expired: a step is a
    /// sixteenth of the rows kept (at least `limit`), and a row not yet expired stops the step at its place
    /// (rows are kept longer, never shorter). Their keys leave the id index as its sweep passes them. Other
    /// outcomes (duplicates, dead letters) are found through their index on the time.
    func advance(clock: Int64, forgettingBefore cutoff: Int64?, limit: Int) throws {
        try FastStatement(database, sql: """
            INSERT INTO runtime_retention (id, clock_us, legacy_seen_us) VALUES (1, ?1, ?1)
            ON CONFLICT (id) DO UPDATE SET clock_us = max(clock_us, excluded.clock_us)
            """).execute(.integer(clock))
        guard let cutoff else { return }
        let legacy = try FastStatement(database, sql: "SELECT legacy_seen_us FROM runtime_retention WHERE id = 1").integer() ?? clock
        // Two queries: SQLite finds a lone min() or max() of the rowid at the end of the table, but scans the whole
        // table for both in one.
        if let oldest = try FastStatement(database, sql: "SELECT min(rowid) FROM runtime_events").integer(),
           let newest = try FastStatement(database, sql: "SELECT max(rowid) FROM runtime_events").integer() {
            let step = max(Int64(limit), (newest - oldest) / 16)
            let end = try FastStatement(database, sql: "SELECT coalesce(seen_us, ?) FROM runtime_events WHERE rowid >= ? ORDER BY rowid LIMIT 1")
                .integer(.integer(legacy), .integer(min(newest, oldest + step - 1)))
            if let end, end < cutoff {
                let events = try FastStatement(database, sql: "DELETE FROM runtime_events WHERE rowid < ? AND coalesce(seen_us, ?) < ?")
                try events.execute(.integer(oldest + step), .integer(legacy), .integer(cutoff))
            }
        }
        let others = try FastStatement(database, sql: """
            DELETE FROM runtime_other_outcomes WHERE (topic, partition, offset) IN (
                SELECT topic, partition, offset FROM runtime_other_outcomes WHERE seen_us < ? ORDER BY seen_us LIMIT ?)
            """)
        try others.execute(.integer(cutoff), .int(limit))
        if legacy < cutoff {
            let older = try FastStatement(database, sql: """
                DELETE FROM runtime_other_outcomes WHERE (topic, partition, offset) IN (
                    SELECT topic, partition, offset FROM runtime_other_outcomes WHERE seen_us IS NULL LIMIT ?)
                """)
            try older.execute(.int(limit))
        }
    }
}

/// The codes of topic and event-type names in `runtime_names`, added as they first appear; the ones in use are
/// kept for the transaction.
private final class NameCodes {
    private var codes: [String: Int64] = [:]
    private let add: FastStatement
    private let find: FastStatement

    init(_ db: Database) throws {
        add = try FastStatement(db, sql: "INSERT INTO runtime_names (name) VALUES (?) ON CONFLICT (name) DO NOTHING")
        find = try FastStatement(db, sql: "SELECT code FROM runtime_names WHERE name = ?")
    }

    func code(_ name: String) throws -> Int64 {
        if let code = codes[name] { return code }
        try add.execute(.text(name))
        guard let code = try find.integer(.text(name)) else { throw DatabaseError(message: "runtime_names lost \(name)") }
        codes[name] = code
        return code
    }
}
