import GRDB

/// The open write transaction of one batch, as a store engine hands it to the runtime's ledger and to a
/// domain's records. Only engine code in this package reaches the connection inside; a domain's rules see
/// their records protocol, never the database.
public struct StoreTransaction {
    /// The engine the transaction runs in, for a domain choosing its records implementation.
    public let engine: StoreEngine
    /// The SQLite connection, inside its transaction (engine code only).
    package let sqlite: Database

    package init(sqlite: Database) {
        engine = .sqlite
        self.sqlite = sqlite
    }

    /// Runs `settle(true)` once the transaction commits, or `settle(false)` once it rolls back.
    package func afterCompletion(_ settle: @escaping @Sendable (_ committed: Bool) -> Void) {
        sqlite.afterNextTransaction(onCommit: { _ in settle(true) }, onRollback: { _ in settle(false) })
    }
}
