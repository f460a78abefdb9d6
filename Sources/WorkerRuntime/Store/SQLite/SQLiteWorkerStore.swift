import Logging

/// Everything a worker process holds for a SQLite store while it runs: the lock that keeps a second process
/// off the file, the store itself (migrated, its identity key checked) and the checkpointer thread.
public final class SQLiteWorkerStore: Sendable {
    public let store: SQLiteStore
    private let lock: StoreLock
    private let checkpointer: Checkpointer

    /// Locks, opens and migrates the store at `path` for `handler`; checks `identityKey` against the store's
    /// when the domain keeps identity hashes; starts checkpointing.
    public init<Handler: DomainHandler>(path: String, busyTimeout: Duration, cacheMegabytes: Int, handler: Handler, identityKey: IdentityKey?,
                                        logger: Logger) throws {
        lock = try StoreLock(storePath: path)
        store = try SQLiteStore(path: path, busyTimeout: busyTimeout, cacheMegabytes: cacheMegabytes, for: handler)
        if let identityKey {
            switch try IdentityKeyCheck.prepare(store, key: identityKey, columns: handler.identityHashColumns) {
            case .matched: break
            case .recorded: logger.info("store.identity_key recorded for this store (its fingerprint, not the key)")
            case .upgraded(let rows): logger.notice("identity hashes written before keyed hashes were re-keyed in place", metadata: ["rows": "\(rows)"])
            }
        }
        checkpointer = try Checkpointer(path: path, logger: logger)
    }

    /// Stops the checkpointer; the lock goes with this object.
    public func close() {
        checkpointer.stop()
    }
}
