import GRDB
import PostgreSQL

/// The open write transaction of one batch, as a store engine hands it to the runtime's ledger and to a
/// domain's records. Only engine code in this package reaches the connection inside; a domain's rules see
/// their records protocol, never the database.
public struct StoreTransaction {
    /// The engine the transaction runs in, for a domain choosing its records implementation.
    public let engine: StoreEngine
    private let sqliteConnection: Database?
    /// The PostgreSQL connection and what runs once the transaction ends (engine code only).
    package let postgresTransaction: PostgresTransaction?

    package init(sqlite: Database) {
        engine = .sqlite
        sqliteConnection = sqlite
        postgresTransaction = nil
    }

    package init(postgres: PostgresTransaction) {
        engine = .postgresql
        sqliteConnection = nil
        postgresTransaction = postgres
    }

    /// The SQLite connection, inside its transaction (engine code only).
    package var sqlite: Database {
        get throws {
            guard let sqliteConnection else { throw StoreError("a SQLite statement was given a \(engine.rawValue) transaction") }
            return sqliteConnection
        }
    }

    /// The PostgreSQL connection, inside its transaction (engine code only).
    package var postgres: PostgresConnection {
        get throws {
            guard let postgresTransaction else { throw StoreError("a PostgreSQL statement was given a \(engine.rawValue) transaction") }
            return postgresTransaction.connection
        }
    }

    /// Runs `settle(true)` once the transaction commits, or `settle(false)` once it rolls back.
    package func afterCompletion(_ settle: @escaping @Sendable (_ committed: Bool) -> Void) {
        if let sqliteConnection {
            sqliteConnection.afterNextTransaction(onCommit: { _ in settle(true) }, onRollback: { _ in settle(false) })
        } else {
            postgresTransaction?.completions.append(settle)
        }
    }
}

/// A PostgreSQL write transaction in progress: its connection, and what to run once it commits or rolls back.
package final class PostgresTransaction {
    package let connection: PostgresConnection
    var completions: [@Sendable (Bool) -> Void] = []

    init(connection: PostgresConnection) { self.connection = connection }

    func finish(committed: Bool) {
        let pending = completions
        completions = []
        for settle in pending { settle(committed) }
    }
}
