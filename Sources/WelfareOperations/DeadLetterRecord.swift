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

    /// The dead letters of a store (a SQLite path or a `postgresql://` URL), oldest input position first,
    /// optionally of one reason only. Reads only, so it works while the worker writes.
    public static func list(storePath: String, reason: String? = nil, limit: Int = Int.max) throws -> [DeadLetterRecord] {
        var sql = """
            SELECT topic, partition, "offset", event_id, event_type, reason_code, detail
            FROM runtime_other_outcomes WHERE outcome = 'dead_lettered'
            """
        var arguments: [StoreValue] = []
        if let reason {
            sql += " AND reason_code = ?"
            arguments.append(.text(reason))
        }
        sql += " ORDER BY topic, partition, \"offset\" LIMIT ?"
        arguments.append(.integer(Int64(min(limit, Int(Int64.max)))))
        return try StoreReader(location: storePath).rows(sql, arguments).map { row in
            DeadLetterRecord(
                topic: row.text(0) ?? "", partition: Int(row.integer(1) ?? 0), offset: row.integer(2) ?? 0,
                eventID: row.text(3), eventType: row.text(4), reason: row.text(5) ?? "", detail: row.text(6) ?? "")
        }
    }

    /// Dead-letter counts by reason.
    public static func countsByReason(storePath: String) throws -> [(reason: String, count: Int)] {
        try StoreReader(location: storePath).rows("""
            SELECT reason_code, COUNT(*) AS n FROM runtime_other_outcomes
            WHERE outcome = 'dead_lettered' GROUP BY reason_code ORDER BY n DESC, reason_code
            """).map { (reason: $0.text(0) ?? "", count: Int($0.integer(1) ?? 0)) }
    }
}
