/// What the tally rules read and write: entries (each added once) and a running total per tally.
public protocol TallyRecords {
    /// Records an entry; false when an entry with that id was already added.
    func addEntry(_ entryID: String, to tallyID: String, amount: Int64, eventID: String) throws -> Bool
    /// Adds `amount` to the tally's total (a new tally starts at 0) and returns the new total.
    func addToTotal(of tallyID: String, _ amount: Int64) throws -> Int64
    /// Sets the tally's total back to 0.
    func resetTotal(of tallyID: String) throws
}
