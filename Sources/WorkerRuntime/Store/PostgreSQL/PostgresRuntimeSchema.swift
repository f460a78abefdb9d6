/// The runtime's own tables in PostgreSQL, the same rows as in SQLite plus what several instances need:
/// each partition's owner epoch, and the input partition of every outbox row. Append-only: never edit a
/// step that has shipped.
enum PostgresRuntimeSchema {
    static let steps = [
        SchemaMigration("postgres-runtime-v1", sql: """
            -- Where each input partition resumes, and who owns it: an instance takes a partition by raising
            -- its epoch, and a batch saves offsets only where the epoch is still the one it took.
            CREATE TABLE runtime_partition_offsets (
                topic text NOT NULL,
                partition integer NOT NULL,
                next_offset bigint,
                owner_epoch bigint NOT NULL DEFAULT 0,
                owner text,
                owned_since timestamptz,
                PRIMARY KEY (topic, partition)
            );
            -- Event ids with the digest of their bytes and their outcome; kept by the event's own time.
            CREATE TABLE runtime_events (
                event_id text PRIMARY KEY,
                value_hash bytea NOT NULL,
                topic text NOT NULL,
                partition integer NOT NULL,
                "offset" bigint NOT NULL,
                event_type text NOT NULL,
                outcome text NOT NULL CHECK (outcome IN ('applied', 'rejected')),
                reason_code text,
                detail text,
                seen_us bigint NOT NULL
            );
            CREATE INDEX runtime_events_seen ON runtime_events (seen_us);
            -- Outcomes of messages that took no event id: duplicates and dead letters.
            CREATE TABLE runtime_other_outcomes (
                topic text NOT NULL,
                partition integer NOT NULL,
                "offset" bigint NOT NULL,
                event_id text,
                event_type text,
                outcome text NOT NULL CHECK (outcome IN ('duplicate', 'dead_lettered')),
                reason_code text,
                detail text,
                seen_us bigint NOT NULL,
                PRIMARY KEY (topic, partition, "offset")
            );
            CREATE INDEX runtime_other_outcomes_seen ON runtime_other_outcomes (seen_us);
            CREATE INDEX runtime_dead_letters ON runtime_other_outcomes (reason_code) WHERE outcome = 'dead_lettered';
            CREATE VIEW runtime_message_outcomes AS
                SELECT topic, partition, "offset", event_id, event_type, outcome, reason_code, detail FROM runtime_events
                UNION ALL
                SELECT topic, partition, "offset", event_id, event_type, outcome, reason_code, detail FROM runtime_other_outcomes;
            -- Packed messages to produce, per input partition: its current owner delivers them.
            CREATE TABLE runtime_outbox (
                seq bigserial PRIMARY KEY,
                partition integer NOT NULL,
                messages bytea NOT NULL
            );
            CREATE INDEX runtime_outbox_partition ON runtime_outbox (partition, seq);
            CREATE TABLE runtime_outbox_set_aside (
                seq bigint PRIMARY KEY,
                partition integer NOT NULL,
                messages bytea NOT NULL,
                set_aside_at timestamptz NOT NULL DEFAULT now()
            );
            -- The business clock (latest event time seen) that retention counts from.
            CREATE TABLE runtime_retention (
                id integer PRIMARY KEY CHECK (id = 1),
                clock_us bigint NOT NULL
            );
            -- The fingerprint of the key identity numbers are hashed with.
            CREATE TABLE runtime_identity_key (
                id integer PRIMARY KEY CHECK (id = 1),
                fingerprint bytea NOT NULL
            );
            """),
        SchemaMigration("postgres-runtime-v2", sql: """
            -- The messages each instance's batch transaction handles while it runs (PostgresProcessingMarker),
            -- one row per partition: what a dead instance leaves for the partition's next owner.
            CREATE TABLE runtime_processing (
                topic text NOT NULL,
                partition integer NOT NULL,
                instance text NOT NULL,
                from_offset bigint NOT NULL,
                to_offset bigint NOT NULL,
                crashes integer NOT NULL,
                messages integer NOT NULL,
                started_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (topic, partition, instance)
            );
            """),
        SchemaMigration("postgres-runtime-v3", sql: """
            -- Outbox rows are compressed with lz4 rather than the default pglz, which cost the batch transaction
            -- more than any other statement; a server built without lz4 keeps pglz.
            DO $$
            BEGIN
                ALTER TABLE runtime_outbox ALTER COLUMN messages SET COMPRESSION lz4;
                ALTER TABLE runtime_outbox_set_aside ALTER COLUMN messages SET COMPRESSION lz4;
            EXCEPTION WHEN feature_not_supported THEN NULL;
            END $$;
            """),
    ]
}
