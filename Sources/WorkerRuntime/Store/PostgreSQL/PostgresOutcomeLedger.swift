import Kafka
import PostgreSQL

/// The ledger of outcomes in PostgreSQL (`runtime_events`, `runtime_other_outcomes`, `runtime_outbox`),
/// one prepared statement per call. An event id is unique across the store: when two instances claim the
/// same id at once, the second waits for the first's transaction and then finds it taken.
///
/// Event ids are read a window at a time (`prefetch`): an id found free is claimed by a queued insert with
/// no conflict clause, so that an instance taking the same id meanwhile fails this batch (a unique
/// violation), which is then applied in parts and finds the id taken.
final class PostgresOutcomeLedger: OutcomeLedger {
    private let connection: PostgresConnection
    /// Ids the last prefetch found free and no message of the batch has claimed yet.
    private var free: Set<String> = []
    /// Ids the last prefetch found taken, or this batch claimed.
    private var taken: Set<String> = []

    init(_ connection: PostgresConnection) { self.connection = connection }

    var outboxRowPerPartition: Bool { true }
    var prefetchesEventIDs: Bool { true }

    func prefetch(eventIDs: [String]) throws {
        guard !eventIDs.isEmpty else { return }
        let found = try connection.queryPlannedEachTime("SELECT event_id FROM runtime_events WHERE event_id = ANY($1::text[])",
                                                        [.text(PostgresValue.arrayLiteral(eventIDs))])
        let present = Set((0..<found.rowCount).compactMap { found.text($0, 0) })
        free = Set(eventIDs).subtracting(present).subtracting(taken)
        taken.formUnion(present)
    }

    func claim(eventID: String, valueHash: [UInt8], topic: String, partition: Int32, offset: Int64, eventType: String, seenAt: Int64) throws -> Bool {
        if free.remove(eventID) != nil {
            taken.insert(eventID)
            try connection.send("""
                INSERT INTO runtime_events (event_id, value_hash, topic, partition, "offset", event_type, outcome, seen_us)
                VALUES ($1, $2, $3, $4, $5, $6, 'applied', $7)
                """, [.text(eventID), .bytes(valueHash), .text(topic), .integer(Int64(partition)), .integer(offset), .text(eventType), .integer(seenAt)])
            return true
        }
        if taken.contains(eventID) { return false }
        return try connection.query("""
            INSERT INTO runtime_events (event_id, value_hash, topic, partition, "offset", event_type, outcome, seen_us)
            VALUES ($1, $2, $3, $4, $5, $6, 'applied', $7) ON CONFLICT (event_id) DO NOTHING
            """, [.text(eventID), .bytes(valueHash), .text(topic), .integer(Int64(partition)), .integer(offset), .text(eventType), .integer(seenAt)])
            .affectedRows > 0
    }

    func earlierHash(of eventID: String) throws -> [UInt8]? {
        try connection.query("SELECT value_hash FROM runtime_events WHERE event_id = $1", [.text(eventID)]).bytes(0, 0)
    }

    func markRejected(eventID: String, reasonCode: String, detail: String) throws {
        try connection.send("UPDATE runtime_events SET outcome = 'rejected', reason_code = $2, detail = $3 WHERE event_id = $1",
                             [.text(eventID), .text(reasonCode), .text(detail)])
    }

    func release(eventID: String) throws {
        taken.remove(eventID)
        try connection.send("DELETE FROM runtime_events WHERE event_id = $1", [.text(eventID)])
    }

    func recordOutcome(topic: String, partition: Int32, offset: Int64, eventID: String?, eventType: String?, outcome: MessageOutcome,
                       reasonCode: String?, detail: String?, seenAt: Int64) throws {
        try connection.send("""
            INSERT INTO runtime_other_outcomes (topic, partition, "offset", event_id, event_type, outcome, reason_code, detail, seen_us)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING
            """, [.text(topic), .integer(Int64(partition)), .integer(offset), .optionalText(eventID), .optionalText(eventType), .text(outcome.rawValue),
                  .optionalText(reasonCode), .optionalText(detail), .integer(seenAt)])
    }

    func appendOutbox(_ packed: PackedMessages, records: [ProducerRecord], partition: Int32) throws -> OutboxRow {
        let row = try connection.query("INSERT INTO runtime_outbox (partition, messages) VALUES ($1, $2) RETURNING seq",
                                       [.integer(Int64(partition)), .bytes(packed.bytes)])
        guard let seq = row.integer(0, 0) else { throw StoreError("no outbox sequence number returned") }
        return OutboxRow(seq: seq, records: records)
    }

    func businessClock() throws -> Int64? {
        try connection.query("SELECT clock_us FROM runtime_retention WHERE id = 1").integer(0, 0)
    }

    /// The clock only moves forward (`GREATEST`), whichever instance's batch commits last. Expired rows go
    /// through the index on their time, at most `limit` of each table per batch.
    func advance(clock: Int64, forgettingBefore cutoff: Int64?, limit: Int) throws {
        try connection.send("""
            INSERT INTO runtime_retention (id, clock_us) VALUES (1, $1)
            ON CONFLICT (id) DO UPDATE SET clock_us = GREATEST(runtime_retention.clock_us, excluded.clock_us)
            """, [.integer(clock)])
        guard let cutoff else { return }
        try connection.send("""
            DELETE FROM runtime_events WHERE event_id IN (SELECT event_id FROM runtime_events WHERE seen_us < $1 ORDER BY seen_us LIMIT $2)
            """, [.integer(cutoff), .int(limit)])
        try connection.send("""
            DELETE FROM runtime_other_outcomes WHERE (topic, partition, "offset") IN (
                SELECT topic, partition, "offset" FROM runtime_other_outcomes WHERE seen_us < $1 ORDER BY seen_us LIMIT $2)
            """, [.integer(cutoff), .int(limit)])
    }
}
