import Kafka
import PostgreSQL

/// The processing marker of a store several instances share (`runtime_processing`): before each batch
/// transaction an instance writes one row per partition it handles, outside the transaction so the row
/// outlives the process, and deletes its rows after. A partition's next owner, or the same worker started
/// again (a new instance), finds the rows a dead instance left and narrows those messages down to the one
/// that kills the worker, as with the file beside a SQLite store. The signal is not recorded here.
///
/// `begin` and `end` cost a round trip each per batch; the table holds a row per partition and instance at most.
final class PostgresProcessingMarker: CrashMarker {
    private let store: PostgresStore

    init(store: PostgresStore) { self.store = store }

    func begin(_ messages: [ConsumedMessage], crashes: Int) {
        // A batch holds messages of the one input topic.
        guard let topic = messages.first?.topic else { return }
        let spans = ProcessingMarker.spans(of: messages)
        // A failure here (the database out of reach) fails the transaction that follows as well.
        _ = try? store.withConnection { connection in
            try connection.query("""
                INSERT INTO runtime_processing (topic, partition, instance, from_offset, to_offset, crashes, messages)
                SELECT $1::text, p, $5::text, f, o, $6::integer, $7::integer FROM unnest($2::integer[], $3::bigint[], $4::bigint[]) AS s(p, f, o)
                ON CONFLICT (topic, partition, instance) DO UPDATE
                    SET from_offset = excluded.from_offset, to_offset = excluded.to_offset, crashes = excluded.crashes,
                        messages = excluded.messages, started_at = now()
                """, [.text(topic), .text(PostgresValue.arrayLiteral(spans.map { Int64($0.partition) })),
                      .text(PostgresValue.arrayLiteral(spans.map(\.from))), .text(PostgresValue.arrayLiteral(spans.map(\.to))), .text(store.instance), .int(crashes), .int(messages.count)])
        }
    }

    /// Deletes this instance's rows, and any row whose messages the store has finished (what a dead instance
    /// left, once its messages are done).
    func end() {
        _ = try? store.withConnection { connection in
            try connection.query("""
                DELETE FROM runtime_processing m WHERE m.instance = $1 OR EXISTS (
                    SELECT 1 FROM runtime_partition_offsets o WHERE o.topic = m.topic AND o.partition = m.partition AND m.to_offset < o.next_offset)
                """, [.text(store.instance)])
        }
    }

    /// Rows other instances left for these partitions, once the rows whose messages the store has finished
    /// are deleted. Called by the partitions' owner after it took them.
    func left(in partitions: [TopicPartition]) -> [ProcessingMarker.Left] {
        guard let topic = partitions.first?.topic else { return [] }
        let numbers = PostgresValue.arrayLiteral(partitions.map { Int64($0.partition) })
        let rows = try? store.withConnection { connection in
            try connection.transaction {
                try connection.query("""
                    DELETE FROM runtime_processing m USING runtime_partition_offsets o
                    WHERE m.topic = $1 AND m.partition = ANY($2::integer[]) AND o.topic = m.topic AND o.partition = m.partition
                        AND m.to_offset < o.next_offset
                    """, [.text(topic), .text(numbers)])
                return try connection.query("""
                    SELECT partition, from_offset, to_offset, crashes, messages FROM runtime_processing
                    WHERE topic = $1 AND partition = ANY($2::integer[]) AND instance <> $3 ORDER BY partition, instance
                    """, [.text(topic), .text(numbers), .text(store.instance)])
            }
        }
        guard let rows else { return [] }
        return (0..<rows.rowCount).compactMap { row in
            guard let partition = rows.integer(row, 0), let from = rows.integer(row, 1), let to = rows.integer(row, 2) else { return nil }
            return ProcessingMarker.Left(spans: [ProcessingMarker.Span(partition: Int32(partition), from: from, to: to)],
                                         crashes: Int(rows.integer(row, 3) ?? 0), signal: nil, messages: Int(rows.integer(row, 4) ?? 0))
        }
    }
}
