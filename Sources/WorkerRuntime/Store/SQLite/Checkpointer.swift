import Foundation
import GRDB
import Kafka
import Logging
import Synchronization

/// Checkpoints the store's WAL from a thread and connection of its own, so that the copying happens off
/// the worker's writer thread. Every interval a PASSIVE checkpoint copies what it can without blocking.
/// Under sustained writes it never quite catches up, and the WAL only starts over once a checkpoint has
/// copied every frame; so once the WAL holds 64 MB and PASSIVE is within 16 MB of its end, a RESTART
/// checkpoint copies the rest while holding the write lock (the writer waits for that short tail, at
/// most `restartWait` for readers to move on) and the next transaction starts the WAL from its beginning.
/// If readers keep it from finishing (a backup), or it cannot get the write lock because transactions run
/// back to back (a backlog), nothing waits; the writer's own auto-checkpoint at 256 MB is the backstop.
/// Copying pages on the writer thread instead held up every transaction behind it.
public final class Checkpointer: Sendable {
    /// Shared with the thread, which must not keep `self` alive.
    private final class Control: Sendable {
        let stopped = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
    }

    private let control = Control()

    /// The WAL size from which it is made to start over.
    static let restartBytes = 64 << 20
    /// How close PASSIVE must have come to the WAL's end before a RESTART is tried.
    static let restartTailBytes = 16 << 20
    /// The longest a RESTART waits for the write lock or for readers (the writer waits meanwhile).
    static let restartWaitMilliseconds = 200

    public init(path: String, interval: Duration = .milliseconds(500), logger: Logger) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        configuration.label = "welfare.checkpointer"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        // The sizes above in WAL frames, which are pages of the store's own size.
        let pageSize = try connection.read(SQLiteStore.pageBytes)
        let (restartFrames, restartTail) = (Checkpointer.restartBytes / pageSize, Checkpointer.restartTailBytes / pageSize)
        startThread(named: "checkpointer") { [control] in
            while !control.stopped.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
                do {
                    try connection.writeWithoutTransaction { db in
                        guard let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") else { return }
                        let (frames, copied) = (row[1] as Int, row[2] as Int)
                        guard frames >= restartFrames, frames - copied <= restartTail else { return }
                        try db.execute(sql: "PRAGMA busy_timeout = \(Checkpointer.restartWaitMilliseconds)")
                        defer { try? db.execute(sql: "PRAGMA busy_timeout = 1000") }
                        _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(RESTART)")
                    }
                } catch {
                    logger.debug("checkpoint skipped", metadata: ["error": "\(error)"])
                }
            }
            try? connection.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            control.done.signal()
        }
    }

    /// Stops after a final checkpoint. Blocking.
    public func stop() {
        guard control.stopped.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else { return }
        control.done.wait()
    }
}
