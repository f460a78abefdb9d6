import WorkerRuntime

/// The tally records in SQLite (`tally_entries`, `tally_totals`).
struct SQLiteTallyRecords: TallyRecords {
    private let insertEntry: FastStatement
    private let selectTotal: FastStatement
    private let updateTotal: FastStatement
    private let insertTotal: FastStatement
    private let reset: FastStatement

    init(_ transaction: StoreTransaction) throws {
        let db = try transaction.sqlite
        insertEntry = try FastStatement(db, sql: "INSERT OR IGNORE INTO tally_entries (entry_id, tally_id, amount, event_id) VALUES (?, ?, ?, ?)")
        selectTotal = try FastStatement(db, sql: "SELECT total FROM tally_totals WHERE tally_id = ?")
        updateTotal = try FastStatement(db, sql: "UPDATE tally_totals SET total = ? WHERE tally_id = ?")
        insertTotal = try FastStatement(db, sql: "INSERT INTO tally_totals (tally_id, total) VALUES (?, ?)")
        reset = try FastStatement(db, sql: "INSERT INTO tally_totals (tally_id, total) VALUES (?, 0) ON CONFLICT (tally_id) DO UPDATE SET total = 0")
    }

    func addEntry(_ entryID: String, to tallyID: String, amount: Int64, eventID: String) throws -> Bool {
        try insertEntry.execute(.text(entryID), .text(tallyID), .integer(amount), .text(eventID))
        return insertEntry.changes > 0
    }

    /// Read, then write the new total: an upsert with RETURNING costs SQLite a temporary table per row, and
    /// an UPDATE of a known row rewrites it in place where INSERT OR REPLACE deletes and inserts it.
    func addToTotal(of tallyID: String, _ amount: Int64) throws -> Int64 {
        if let known = try selectTotal.integer(.text(tallyID)) {
            try updateTotal.execute(.integer(known + amount), .text(tallyID))
            return known + amount
        }
        try insertTotal.execute(.text(tallyID), .integer(amount))
        return amount
    }

    func resetTotal(of tallyID: String) throws {
        try reset.execute(.text(tallyID))
    }
}
