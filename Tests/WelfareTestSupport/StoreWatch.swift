import GRDB
import WorkerRuntime

/// Counts the outcomes in a store another process writes (read-only, WAL lets both work at once).
public func storedOutcomeCount(_ path: String) async -> Int {
    guard let queue = try? SQLiteStore.openReadOnly(path: path) else { return 0 }
    return (try? await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_message_outcomes") ?? 0 }) ?? 0
}

/// Waits until a store holds at least `count` outcomes; false when the time runs out.
public func waitForStoredOutcomes(_ path: String, _ count: Int, timeout: Duration = .seconds(120)) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await storedOutcomeCount(path) >= count { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return false
}
