import WorkerRuntime

/// The tally tables, per engine. Steps are append-only: never edit one that has shipped.
enum TallySchema {
    static let sqlite = [
        SchemaMigration("tally-v1", sql: """
            CREATE TABLE tally_totals (tally_id TEXT PRIMARY KEY, total INTEGER NOT NULL) WITHOUT ROWID;
            CREATE TABLE tally_entries (entry_id TEXT PRIMARY KEY, tally_id TEXT NOT NULL, amount INTEGER NOT NULL, event_id TEXT NOT NULL) WITHOUT ROWID;
            """),
        // Entries in append order (rowid) with a small unique index on their id, as the runtime keeps its
        // event rows: keyed by entry id, the small rows landed wherever their ids fell, and a batch dirtied
        // pages all over the table.
        SchemaMigration("tally-v2-entries-in-append-order", sql: """
            CREATE TABLE tally_entries_v2 (entry_id TEXT NOT NULL UNIQUE, tally_id TEXT NOT NULL, amount INTEGER NOT NULL, event_id TEXT NOT NULL);
            INSERT INTO tally_entries_v2 (entry_id, tally_id, amount, event_id) SELECT entry_id, tally_id, amount, event_id FROM tally_entries;
            DROP TABLE tally_entries;
            ALTER TABLE tally_entries_v2 RENAME TO tally_entries;
            """),
    ]

    static let postgresql = [
        SchemaMigration("tally-postgres-v1", sql: """
            CREATE TABLE tally_totals (tally_id text PRIMARY KEY, total bigint NOT NULL);
            CREATE TABLE tally_entries (entry_id text PRIMARY KEY, tally_id text NOT NULL, amount bigint NOT NULL, event_id text NOT NULL);
            """),
    ]
}
