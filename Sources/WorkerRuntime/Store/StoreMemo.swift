import Synchronization

/// Facts a domain found in its store that never change once written (a registered worker's occupation),
/// remembered between events and batches so that the next event need not search for them again.
///
/// One memo belongs to one store (the message processor's). A fact found inside a transaction is kept
/// aside until that transaction commits and dropped if it rolls back, so a batch that is retried leaves
/// nothing behind that its rows did not. Only found facts are remembered (absence can change).
public final class StoreMemo: Sendable {
    private struct State {
        var committed: [String: String] = [:]
        var pending: [String: String] = [:]
        var watchingTransaction = false
    }

    private let state = Mutex(State())
    /// Facts kept at most; beyond it new ones are not remembered (the store still answers).
    public let capacity: Int

    public init(capacity: Int = 250_000) {
        self.capacity = capacity
    }

    /// The fact under `key`: remembered, or fetched (inside the open write transaction) and remembered once
    /// that transaction commits.
    public func value(for key: String, in transaction: StoreTransaction, fetch: () throws -> String?) rethrows -> String? {
        let known = state.withLock { $0.committed[key] ?? $0.pending[key] }
        if let known { return known }
        guard let fetched = try fetch() else { return nil }
        let watch = state.withLock { state -> Bool in
            guard state.committed.count + state.pending.count < capacity else { return false }
            state.pending[key] = fetched
            defer { state.watchingTransaction = true }
            return !state.watchingTransaction
        }
        if watch {
            transaction.afterCompletion { [self] committed in settle(commit: committed) }
        }
        return fetched
    }

    /// How many facts are remembered for good (for tests).
    public var committedCount: Int { state.withLock { $0.committed.count } }

    private func settle(commit: Bool) {
        state.withLock { state in
            if commit { state.committed.merge(state.pending) { _, new in new } }
            state.pending = [:]
            state.watchingTransaction = false
        }
    }
}
