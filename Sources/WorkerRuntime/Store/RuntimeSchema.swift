import GRDB

/// The runtime's own tables. Migrations are append-only: never edit one that has shipped.
enum RuntimeSchema {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("runtime-v1") { db in
            // Where each input partition resumes: the next offset to read.
            try db.execute(sql: """
                CREATE TABLE runtime_partition_offsets (
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    next_offset INTEGER NOT NULL,
                    PRIMARY KEY (topic, partition)
                ) WITHOUT ROWID;
                """)
            // One row per input message: its outcome. Dead letters are the rows with outcome 'dead_lettered'.
            try db.execute(sql: """
                CREATE TABLE runtime_message_outcomes (
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    event_id TEXT,
                    event_type TEXT,
                    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'rejected', 'duplicate', 'dead_lettered')),
                    reason_code TEXT,
                    detail TEXT,
                    PRIMARY KEY (topic, partition, offset)
                ) WITHOUT ROWID;
                CREATE INDEX runtime_dead_letters ON runtime_message_outcomes (reason_code) WHERE outcome = 'dead_lettered';
                """)
            // The ids of applied and rejected events with a hash of their bytes (repeat vs. conflict).
            try db.execute(sql: """
                CREATE TABLE runtime_event_ids (
                    event_id TEXT PRIMARY KEY,
                    value_hash BLOB NOT NULL
                ) WITHOUT ROWID;
                """)
            // Messages to produce (notifications, dead-letter copies); a row is deleted once delivered.
            try db.execute(sql: """
                CREATE TABLE runtime_outbox (
                    seq INTEGER PRIMARY KEY,
                    topic TEXT NOT NULL,
                    message_key BLOB,
                    message_value BLOB,
                    headers TEXT
                );
                """)
        }
    }
}
