import PostgreSQL
import WorkerRuntime

/// The tally records in PostgreSQL. A total is changed by one upsert that returns it, so two instances
/// adding to the same tally at once are serialised by its row lock.
struct PostgresTallyRecords: TallyRecords {
    private let connection: PostgresConnection

    init(_ transaction: StoreTransaction) throws {
        connection = try transaction.postgres
    }

    func addEntry(_ entryID: String, to tallyID: String, amount: Int64, eventID: String) throws -> Bool {
        try connection.query("""
            INSERT INTO tally_entries (entry_id, tally_id, amount, event_id) VALUES ($1, $2, $3, $4) ON CONFLICT (entry_id) DO NOTHING
            """, [.text(entryID), .text(tallyID), .integer(amount), .text(eventID)]).affectedRows > 0
    }

    func addToTotal(of tallyID: String, _ amount: Int64) throws -> Int64 {
        let row = try connection.query("""
            INSERT INTO tally_totals (tally_id, total) VALUES ($1, $2)
            ON CONFLICT (tally_id) DO UPDATE SET total = tally_totals.total + excluded.total RETURNING total
            """, [.text(tallyID), .integer(amount)])
        guard let total = row.integer(0, 0) else { throw StoreError("no total returned for tally \(tallyID)") }
        return total
    }

    func resetTotal(of tallyID: String) throws {
        try connection.send("INSERT INTO tally_totals (tally_id, total) VALUES ($1, 0) ON CONFLICT (tally_id) DO UPDATE SET total = 0", [.text(tallyID)])
    }
}
