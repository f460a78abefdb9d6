import GRDB
import PostgreSQL

/// Tells the store's transient faults (a retry can cure them: the disk, a lock, the file) from errors a
/// retry cannot cure (a constraint a bug violates, a domain error): the former pause and retry, the latter
/// make the engine look for the message that causes them.
public enum StoreFault {
    public static func isTransient(_ error: any Error) -> Bool {
        if let postgres = error as? PostgresError { return postgres.isTransient }
        // Fenced: retried (never committed) until the consumer hears its partition was taken.
        if error is PartitionFencedError { return true }
        // Not the store's: an error a domain throws while it handles a message is about that message.
        guard let database = error as? DatabaseError else { return false }
        switch database.resultCode.primaryResultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_NOMEM,
             .SQLITE_PROTOCOL, .SQLITE_CORRUPT, .SQLITE_NOTADB, .SQLITE_INTERRUPT, .SQLITE_NOLFS, .SQLITE_AUTH, .SQLITE_PERM:
            return true
        default:
            return false
        }
    }
}

/// An error a domain throws for one message that no retry will cure (for tests, the tally domain's poison hook).
public struct PoisonMessageError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
