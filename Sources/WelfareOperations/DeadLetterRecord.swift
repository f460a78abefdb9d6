import GRDB
import WorkerRuntime

/// One dead-lettered input message as a worker's store recorded it: where it was read, why it broke the
/// contract, and the event id when it could be read.
public struct DeadLetterRecord: Sendable, Equatable {
    public let topic: String
    public let partition: Int
    public let offset: Int64
    public let eventID: String?
    public let eventType: String?
    public let reason: String
    public let detail: String

    /// The dead letters of a store, oldest input position first, optionally of one reason only.
    /// Opens the store read-only, so it works while the worker writes.
    public static func list(storePath: String, reason: String? = nil, limit: Int = Int.max) throws -> [DeadLetterRecord] {
        let queue = try SQLiteStore.openReadOnly(path: storePath)
        return try queue.read { db in
            var sql = """
                SELECT topic, partition, offset, event_id, event_type, reason_code, detail
                FROM runtime_other_outcomes WHERE outcome = 'dead_lettered'
                """
            var arguments: StatementArguments = []
            if let reason {
                sql += " AND reason_code = ?"
                arguments += [reason]
            }
            sql += " ORDER BY topic, partition, offset LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                DeadLetterRecord(
                    topic: row["topic"], partition: row["partition"], offset: row["offset"],
                    eventID: row["event_id"], eventType: row["event_type"],
                    reason: row["reason_code"] ?? "", detail: row["detail"] ?? "")
            }
        }
    }

    /// Dead-letter counts by reason.
    public static func countsByReason(storePath: String) throws -> [(reason: String, count: Int)] {
        let queue = try SQLiteStore.openReadOnly(path: storePath)
        return try queue.read { db in
            try Row.fetchAll(db, sql: """
                SELECT reason_code, COUNT(*) AS n FROM runtime_other_outcomes
                WHERE outcome = 'dead_lettered' GROUP BY reason_code ORDER BY n DESC, reason_code
                """).map { (reason: $0["reason_code"] ?? "", count: $0["n"]) }
        }
    }
}
