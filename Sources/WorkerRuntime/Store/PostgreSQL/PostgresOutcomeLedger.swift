import Kafka
import PostgreSQL

/// The ledger of outcomes in PostgreSQL (`runtime_events`, `runtime_other_outcomes`, `runtime_outbox`):
/// event and outcome rows go a batch at a time as statements over arrays. An event id is unique across the store: when two instances claim the
/// same id at once, the second waits for the first's transaction and then finds it taken.
///
/// Event ids are read a window at a time (`prefetch`): an id found free is claimed by a queued insert with
/// no conflict clause, so that an instance taking the same id meanwhile fails this batch (a unique
/// violation), which is then applied in parts and finds the id taken.
final class PostgresOutcomeLedger: OutcomeLedger {
    private let connection: PostgresConnection
    /// Ids the last prefetch found free and no message of the batch has claimed yet.
    private var free: Set<String> = []
    /// Ids the last prefetch found taken, or this batch claimed, with the digest each was taken with.
    private var taken: [String: [UInt8]] = [:]

    init(_ connection: PostgresConnection) { self.connection = connection }

    var outboxRowPerPartition: Bool { true }
    var prefetchesEventIDs: Bool { true }

    func prefetch(eventIDs: [String]) throws {
        guard !eventIDs.isEmpty else { return }
        // One index probe per id: a hash of the list against a scan of the table is what the planner picks
        // for a table of some ten thousand rows, and it costs more as the table grows.
        let found = try connection.queryPlannedEachTime("""
            SELECT e.event_id, e.value_hash FROM unnest($1::text[]) AS w(id)
            CROSS JOIN LATERAL (SELECT event_id, value_hash FROM runtime_events WHERE event_id = w.id LIMIT 1) AS e
            """, [.text(PostgresValue.arrayLiteral(eventIDs))])
        for row in 0..<found.rowCount {
            if let id = found.text(row, 0) { taken[id] = found.bytes(row, 1) ?? [] }
        }
        free = Set(eventIDs.filter { taken[$0] == nil })
    }

    func claim(eventID: String, valueHash: [UInt8], topic: String, partition: Int32, offset: Int64, eventType: String, seenAt: Int64) throws -> Bool {
        if free.remove(eventID) != nil {
            taken[eventID] = valueHash
            try connection.sendRow(Self.insertEvents,
                                   [.text(eventID), .bytes(valueHash), .text(topic), .integer(Int64(partition)), .integer(offset), .text(eventType), .integer(seenAt)])
            return true
        }
        if taken[eventID] != nil { return false }
        return try connection.query("""
            INSERT INTO runtime_events (event_id, value_hash, topic, partition, "offset", event_type, outcome, seen_us)
            VALUES ($1, $2, $3, $4, $5, $6, 'applied', $7) ON CONFLICT (event_id) DO NOTHING
            """, [.text(eventID), .bytes(valueHash), .text(topic), .integer(Int64(partition)), .integer(offset), .text(eventType), .integer(seenAt)])
            .affectedRows > 0
    }

    func earlierHash(of eventID: String) throws -> [UInt8]? {
        if let known = taken[eventID] { return known }
        return try connection.query("SELECT value_hash FROM runtime_events WHERE event_id = $1", [.text(eventID)]).bytes(0, 0)
    }

    func markRejected(eventID: String, reasonCode: String, detail: String) throws {
        try connection.sendRow(Self.markEventsRejected, [.text(eventID), .text(reasonCode), .text(detail)])
    }

    func release(eventID: String) throws {
        taken[eventID] = nil
        try connection.send("DELETE FROM runtime_events WHERE event_id = $1", [.text(eventID)])
    }

    func recordOutcome(topic: String, partition: Int32, offset: Int64, eventID: String?, eventType: String?, outcome: MessageOutcome,
                       reasonCode: String?, detail: String?, seenAt: Int64) throws {
        try connection.sendRow(Self.insertOtherOutcomes, [.text(topic), .integer(Int64(partition)), .integer(offset), .optionalText(eventID),
                                                          .optionalText(eventType), .text(outcome.rawValue), .optionalText(reasonCode),
                                                          .optionalText(detail), .integer(seenAt)])
    }

    // Rows written a batch at a time (`PostgresConnection.sendRow`).
    private static let insertEvents = RowStatement(insert: """
        INSERT INTO runtime_events (event_id, value_hash, topic, partition, "offset", event_type, outcome, seen_us)
        SELECT id, hash, topic, part, off, type, 'applied', seen
        FROM unnest($1::text[], $2::bytea[], $3::text[], $4::integer[], $5::bigint[], $6::text[], $7::bigint[]) AS r(id, hash, topic, part, off, type, seen)
        """, columns: 7)
    private static let markEventsRejected = RowStatement(update: """
        UPDATE runtime_events SET outcome = 'rejected', reason_code = r.code, detail = r.detail
        FROM unnest($1::text[], $2::text[], $3::text[]) AS r(id, code, detail) WHERE event_id = r.id
        """, columns: 3, key: 0)
    private static let insertOtherOutcomes = RowStatement(insert: """
        INSERT INTO runtime_other_outcomes (topic, partition, "offset", event_id, event_type, outcome, reason_code, detail, seen_us)
        SELECT * FROM unnest($1::text[], $2::integer[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])
        ON CONFLICT DO NOTHING
        """, columns: 9)

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
