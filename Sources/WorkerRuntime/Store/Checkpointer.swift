import Foundation
import GRDB
import Logging
import Synchronization

/// Checkpoints the store's WAL from a thread and connection of its own, so that the worker's
/// transactions never wait for a checkpoint's fsync (the writer's auto-checkpoint is off).
/// PASSIVE checkpoints never block the writer; the WAL file is reused once a checkpoint catches up.
public final class Checkpointer: Sendable {
    /// Shared with the thread, which must not keep `self` alive.
    private final class Control: Sendable {
        let stopped = Atomic<Bool>(false)
        let done = DispatchSemaphore(value: 0)
    }

    private let control = Control()

    public init(path: String, interval: Duration = .milliseconds(500), logger: Logger) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        configuration.label = "welfare.checkpointer"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        let thread = Thread { [control] in
            while !control.stopped.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: Double(interval.components.seconds) + Double(interval.components.attoseconds) / 1e18)
                do {
                    try connection.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(PASSIVE)") }
                } catch {
                    logger.debug("checkpoint skipped", metadata: ["error": "\(error)"])
                }
            }
            try? connection.writeWithoutTransaction { db in _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
            control.done.signal()
        }
        thread.name = "welfare.store.checkpointer"
        thread.start()
    }

    /// Stops after a final checkpoint. Blocking.
    public func stop() {
        guard control.stopped.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else { return }
        control.done.wait()
    }
}
