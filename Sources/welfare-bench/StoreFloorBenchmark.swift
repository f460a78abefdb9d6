import ArgumentParser
import Foundation
import GRDB
import GRDBSQLite
import Kafka
import Logging
import TallyDomain
import WorkerRuntime

/// The SQL a tally event costs and nothing else: the ceiling of any worker on this store layout.
///
/// A worker store (same pragmas, checkpointer thread on) gets, per event, exactly the statements the
/// tally worker runs (event-id claim, entry insert, total read and write) and, per batch, its outbox row
/// (the batch's notifications packed), the deletion of the previous batch's row and the offset upserts. Events arrive in the order
/// a worker reads a 64-partition backlog. No Kafka, no JSON, no rendering (a fixed 480-byte value stands
/// in for the notification).
struct StoreFloorBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-floor", abstract: "Time the tally worker's SQL alone on a worker store (no Kafka, no JSON): the store's ceiling.")

    @Option(help: "Events to write.") var events = 500_000
    @Option(help: "Events per transaction.") var batch = 2_000

    func run() throws {
        SQLiteStore.tuneSQLiteForThisProcess()  // as a worker does
        try BenchmarkSupport.withScratchDirectory { directory in
            let path = directory.appendingPathComponent("floor.sqlite").path
            let store = try SQLiteStore(path: path, for: TallyDomain())
            let checkpointer = try Checkpointer(path: path, logger: Logger(label: "welfare.bench.checkpointer"))
            defer { checkpointer.stop() }
            let frames = FrameCounter()
            store.queue.writeWithoutTransaction { db in frames.install(on: db) }

            let order = Self.readOrder(events: events)
            let notification = [UInt8](repeating: 0x78, count: 480)
            var delivered: Int64?
            let start = ContinuousClock.now
            for chunk in stride(from: 0, to: order.count, by: batch) {
                let indices = order[chunk..<min(chunk + batch, order.count)]
                delivered = try store.queue.write { db -> Int64 in
                    if let delivered {
                        try FastStatement(db, sql: "DELETE FROM runtime_outbox WHERE seq BETWEEN ? AND ?").execute(.integer(delivered), .integer(delivered))
                    }
                    let claim = try FastStatement(db, sql: """
                        INSERT INTO runtime_events (event_id, value_hash, topic_code, partition, offset, type_code, outcome)
                        VALUES (?, ?, ?, ?, ?, ?, 'applied')
                        """)
                    let entry = try FastStatement(db, sql: "INSERT OR IGNORE INTO tally_entries (entry_id, tally_id, amount, event_id) VALUES (?, ?, ?, ?)")
                    let total = try FastStatement(db, sql: "SELECT total FROM tally_totals WHERE tally_id = ?")
                    let update = try FastStatement(db, sql: "UPDATE tally_totals SET total = ? WHERE tally_id = ?")
                    let insert = try FastStatement(db, sql: "INSERT INTO tally_totals (tally_id, total) VALUES (?, ?)")
                    var packed = PackedMessages(reservingCapacity: indices.count * 520)
                    for index in indices {
                        let eventID = "evt-\(index)"
                        let tally = "tally-\(index % 50_000)"
                        try claim.execute(.text(eventID), .blob(Array(repeating: UInt8(index & 0xff), count: 16)), .int(1),
                                          .int((index % 50_000) % 64), .int(index / 64), .int(2))
                        try entry.execute(.text("entry-\(index)"), .text(tally), .int(index % 100 + 1), .text(eventID))
                        let amount = Int64(index % 100 + 1)
                        if let known = try total.integer(.text(tally)) {
                            try update.execute(.integer(known + amount), .text(tally))
                        } else {
                            try insert.execute(.text(tally), .integer(amount))
                        }
                        packed.append(ProducerRecord(topic: "welfare.notifications", key: Array(tally.utf8), value: notification))
                    }
                    try FastStatement(db, sql: "INSERT INTO runtime_outbox (messages) VALUES (?)").execute(.blob(packed.bytes))
                    let row = db.lastInsertedRowID
                    let offsets = try FastStatement(db, sql: """
                        INSERT INTO runtime_partition_offsets (topic, partition, next_offset) VALUES (?, ?, ?)
                        ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset
                        """)
                    for partition in 0..<64 { try offsets.execute(.text("welfare.tally"), .int(partition), .int(chunk)) }
                    return row
                }
            }
            let seconds = (ContinuousClock.now - start).seconds
            print(String(format: "store floor (tally SQL only, %d-event transactions): %.0f events/s (%.2f µs each), %.2f WAL frames (%d KiB pages) per event",
                         batch, Double(events) / seconds, seconds / Double(events) * 1e6, Double(frames.total) / Double(events), SQLiteStore.pageSize / 1024))
        }
    }

    /// Event numbers in the order a worker reads a 64-partition backlog (runs of ~1,000 per partition).
    static func readOrder(events: Int) -> [Int] {
        var byPartition = [[Int]](repeating: [], count: 64)
        for index in 0..<events { byPartition[(index % 50_000) % 64].append(index) }
        var order: [Int] = []
        order.reserveCapacity(events)
        for run in stride(from: 0, to: byPartition.map(\.count).max() ?? 0, by: 1_000) {
            for partition in byPartition where run < partition.count {
                order.append(contentsOf: partition[run..<min(run + 1_000, partition.count)])
            }
        }
        return order
    }
}

/// Counts the WAL frames the writer's commits append. Installing a WAL hook replaces the connection's
/// auto-checkpoint, which is fine here: the checkpointer thread does that work, as in a worker.
/// Unchecked: SQLite calls the hook on the writing connection's thread, the only one that reads the counts.
private final class FrameCounter: @unchecked Sendable {
    private(set) var total = 0
    private var last = 0

    func install(on db: Database) {
        sqlite3_wal_hook(db.sqliteConnection, { context, _, _, frames in
            guard let context else { return SQLITE_OK }
            let counter = Unmanaged<FrameCounter>.fromOpaque(context).takeUnretainedValue()
            let frames = Int(frames)
            counter.total += frames >= counter.last ? frames - counter.last : frames
            counter.last = frames
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }
}
