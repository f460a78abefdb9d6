import GRDB
import WorkerRuntime

/// How many input messages a store another process writes has finished (read-only; WAL lets both work at
/// once): the sum of its saved next offsets, as every test topic starts at offset 0. Outcome rows are not
/// counted, as `store.event_id_retention` forgets old ones.
public func storedProcessedCount(_ path: String) async -> Int {
    guard let queue = try? SQLiteStore.openReadOnly(path: path) else { return 0 }
    return (try? await queue.read { try processedMessageCount($0) }) ?? 0
}

/// The sum of a store's saved next offsets: the messages it has finished, when every topic starts at offset 0.
public func processedMessageCount(_ db: Database) throws -> Int {
    try SQLiteStore.finishedMessageCount(db)
}

/// Waits until a store has finished at least `count` messages; false when the time runs out.
public func waitForStoredProcessed(_ path: String, _ count: Int, timeout: Duration = .seconds(120)) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await storedProcessedCount(path) >= count { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return false
}

/// How many outbox rows a store another process writes still holds (read-only).
public func storedOutboxRows(_ path: String) async -> Int {
    guard let queue = try? SQLiteStore.openReadOnly(path: path) else { return -1 }
    return (try? await queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM runtime_outbox") ?? 0 }) ?? -1
}
