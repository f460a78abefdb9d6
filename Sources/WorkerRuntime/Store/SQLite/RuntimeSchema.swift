import Foundation
import GRDB
import Kafka

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
        // One row per message costs the writer two B-tree inserts (its id, its outcome), and the v1 CHECK
        // with a four-value IN list made SQLite build a temporary table for every inserted outcome. Since
        // v2 an event that takes its id carries its outcome in the same row; only messages that take no id
        // (duplicates, dead letters) get a row of their own. The view keeps the v1 name and columns.
        migrator.registerMigration("runtime-v2-outcomes-with-ids") { db in
            try db.execute(sql: """
                CREATE TABLE runtime_events (
                    event_id TEXT PRIMARY KEY,
                    value_hash BLOB NOT NULL,
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    event_type TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome = 'applied' OR outcome = 'rejected'),
                    reason_code TEXT,
                    detail TEXT
                ) WITHOUT ROWID;
                CREATE TABLE runtime_other_outcomes (
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    event_id TEXT,
                    event_type TEXT,
                    outcome TEXT NOT NULL CHECK (outcome = 'duplicate' OR outcome = 'dead_lettered'),
                    reason_code TEXT,
                    detail TEXT,
                    PRIMARY KEY (topic, partition, offset)
                ) WITHOUT ROWID;
                INSERT INTO runtime_events
                    SELECT o.event_id, e.value_hash, o.topic, o.partition, o.offset, o.event_type, o.outcome, o.reason_code, o.detail
                    FROM runtime_message_outcomes o JOIN runtime_event_ids e ON e.event_id = o.event_id
                    WHERE o.outcome = 'applied' OR o.outcome = 'rejected';
                INSERT INTO runtime_other_outcomes
                    SELECT topic, partition, offset, event_id, event_type, outcome, reason_code, detail
                    FROM runtime_message_outcomes WHERE outcome = 'duplicate' OR outcome = 'dead_lettered';
                DROP TABLE runtime_message_outcomes;
                DROP TABLE runtime_event_ids;
                CREATE INDEX runtime_dead_letters ON runtime_other_outcomes (reason_code) WHERE outcome = 'dead_lettered';
                CREATE VIEW runtime_message_outcomes AS
                    SELECT topic, partition, offset, event_id, event_type, outcome, reason_code, detail FROM runtime_events
                    UNION ALL
                    SELECT topic, partition, offset, event_id, event_type, outcome, reason_code, detail FROM runtime_other_outcomes;
                """)
        }
        // Event rows in append order (rowid) with a small unique index on the id. Keyed by event id, every
        // event inserted a ~100-byte row at a random place when ids are random (UUIDs, as many upstream
        // systems send), so each event dirtied a page of its own of a table that grows without end; now
        // the rows share pages in input order and only the ~40-byte index entries land at random.
        migrator.registerMigration("runtime-v3-events-in-append-order") { db in
            try db.execute(sql: """
                DROP VIEW runtime_message_outcomes;
                CREATE TABLE runtime_events_v3 (
                    event_id TEXT NOT NULL UNIQUE,
                    value_hash BLOB NOT NULL,
                    topic TEXT NOT NULL,
                    partition INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    event_type TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome = 'applied' OR outcome = 'rejected'),
                    reason_code TEXT,
                    detail TEXT
                );
                INSERT INTO runtime_events_v3 (event_id, value_hash, topic, partition, offset, event_type, outcome, reason_code, detail)
                    SELECT event_id, value_hash, topic, partition, offset, event_type, outcome, reason_code, detail FROM runtime_events
                    ORDER BY topic, partition, offset;
                DROP TABLE runtime_events;
                ALTER TABLE runtime_events_v3 RENAME TO runtime_events;
                CREATE VIEW runtime_message_outcomes AS
                    SELECT topic, partition, offset, event_id, event_type, outcome, reason_code, detail FROM runtime_events
                    UNION ALL
                    SELECT topic, partition, offset, event_id, event_type, outcome, reason_code, detail FROM runtime_other_outcomes;
                """)
        }
        // One outbox row per batch (a few when it is long), its messages packed (`PackedMessages`), instead
        // of one row per message: one B-tree insert for a batch's notifications. Rows left by an earlier
        // version become rows of one message each, in their order.
        migrator.registerMigration("runtime-v4-packed-outbox") { db in
            try db.execute(sql: "CREATE TABLE runtime_outbox_v4 (seq INTEGER PRIMARY KEY, messages BLOB NOT NULL)")
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, topic, message_key, message_value, headers FROM runtime_outbox ORDER BY seq")
            let insert = try db.makeStatement(sql: "INSERT INTO runtime_outbox_v4 (seq, messages) VALUES (?, ?)")
            while let row = try rows.next() {
                let key: Data? = row["message_key"]
                let value: Data? = row["message_value"]
                let record = ProducerRecord(topic: row["topic"], key: key.map { [UInt8]($0) }, value: value.map { [UInt8]($0) },
                                            headers: unpackVersionOneHeaders(row["headers"]))
                try insert.execute(arguments: [row["seq"] as Int64, Data(PackedMessages([record]).bytes)])
            }
            try db.execute(sql: "DROP TABLE runtime_outbox; ALTER TABLE runtime_outbox_v4 RENAME TO runtime_outbox;")
        }
        // The fingerprint of the key the store's identity hashes are made with (`IdentityKeyCheck`); no row
        // yet means a store written before keyed hashes, upgraded at the first start with a key.
        migrator.registerMigration("runtime-v5-identity-key") { db in
            try db.execute(sql: "CREATE TABLE runtime_identity_key (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint BLOB NOT NULL)")
        }
        // Outbox rows that could not be read back, set aside so that they hold up nothing (`OutboxRow.setAside`).
        migrator.registerMigration("runtime-v6-outbox-set-aside") { db in
            try db.execute(sql: "CREATE TABLE runtime_outbox_set_aside (seq INTEGER PRIMARY KEY, messages BLOB, set_aside_at TEXT NOT NULL)")
        }
        // Event ids and outcomes are kept for `store.event_id_retention` of business time: each row carries
        // its event's time (`seen_us`; a message without one, the store's clock) and rows older than the
        // store's clock (the latest event time seen) minus the window are pruned a bounded step per batch.
        // Rows written before this step have none: they count as seen when the clock was first kept
        // (`legacy_seen_us`).
        migrator.registerMigration("runtime-v7-retention") { db in
            try db.execute(sql: """
                ALTER TABLE runtime_events ADD COLUMN seen_us INTEGER;
                ALTER TABLE runtime_other_outcomes ADD COLUMN seen_us INTEGER;
                CREATE INDEX runtime_other_outcomes_seen ON runtime_other_outcomes (seen_us);
                CREATE TABLE runtime_retention (id INTEGER PRIMARY KEY CHECK (id = 1), clock_us INTEGER NOT NULL, legacy_seen_us INTEGER NOT NULL);
                """)
        }
        // An event row named its topic and event type in full, the largest part of it after the id: they
        // become small codes of `runtime_names`, and the view names them again.
        migrator.registerMigration("runtime-v8-name-codes") { db in
            try db.execute(sql: """
                DROP VIEW runtime_message_outcomes;
                CREATE TABLE runtime_names (code INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                INSERT INTO runtime_names (name) SELECT topic FROM runtime_events UNION SELECT event_type FROM runtime_events;
                CREATE TABLE runtime_events_v8 (
                    event_id TEXT NOT NULL UNIQUE,
                    value_hash BLOB NOT NULL,
                    topic_code INTEGER NOT NULL,
                    partition INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    type_code INTEGER NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome = 'applied' OR outcome = 'rejected'),
                    reason_code TEXT,
                    detail TEXT,
                    seen_us INTEGER
                );
                INSERT INTO runtime_events_v8 (event_id, value_hash, topic_code, partition, offset, type_code, outcome, reason_code, detail, seen_us)
                    SELECT e.event_id, e.value_hash, t.code, e.partition, e.offset, y.code, e.outcome, e.reason_code, e.detail, e.seen_us
                    FROM runtime_events AS e JOIN runtime_names AS t ON t.name = e.topic JOIN runtime_names AS y ON y.name = e.event_type
                    ORDER BY e.rowid;
                DROP TABLE runtime_events;
                ALTER TABLE runtime_events_v8 RENAME TO runtime_events;
                CREATE VIEW runtime_message_outcomes AS
                    SELECT t.name AS topic, e.partition, e.offset, e.event_id, y.name AS event_type, e.outcome, e.reason_code, e.detail
                    FROM runtime_events AS e JOIN runtime_names AS t ON t.code = e.topic_code JOIN runtime_names AS y ON y.code = e.type_code
                    UNION ALL
                    SELECT topic, partition, offset, event_id, event_type, outcome, reason_code, detail FROM runtime_other_outcomes;
                """)
        }
        // The unique index of event ids (UUIDs, as upstream systems make them) wrote about a page per new id
        // once it outgrew the page cache. Event rows get a number of their own (`event_no`, which VACUUM
        // keeps) and are found through a `LeveledIdIndex` of their ids instead, which writes a page for many
        // ids at once.
        migrator.registerMigration("runtime-v9-leveled-event-ids") { db in
            try db.execute(sql: """
                DROP VIEW runtime_message_outcomes;
                CREATE TABLE runtime_events_v9 (
                    event_no INTEGER PRIMARY KEY,
                    event_id TEXT NOT NULL,
                    value_hash BLOB NOT NULL,
                    topic_code INTEGER NOT NULL,
                    partition INTEGER NOT NULL,
                    offset INTEGER NOT NULL,
                    type_code INTEGER NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome = 'applied' OR outcome = 'rejected'),
                    reason_code TEXT,
                    detail TEXT,
                    seen_us INTEGER
                );
                INSERT INTO runtime_events_v9 (event_no, event_id, value_hash, topic_code, partition, offset, type_code, outcome, reason_code, detail, seen_us)
                    SELECT rowid, event_id, value_hash, topic_code, partition, offset, type_code, outcome, reason_code, detail, seen_us
                    FROM runtime_events ORDER BY rowid;
                DROP TABLE runtime_events;
                ALTER TABLE runtime_events_v9 RENAME TO runtime_events;
                CREATE VIEW runtime_message_outcomes AS
                    SELECT t.name AS topic, e.partition, e.offset, e.event_id, y.name AS event_type, e.outcome, e.reason_code, e.detail
                    FROM runtime_events AS e JOIN runtime_names AS t ON t.code = e.topic_code JOIN runtime_names AS y ON y.code = e.type_code
                    UNION ALL
                    SELECT topic, partition, offset, event_id, event_type, outcome, reason_code, detail FROM runtime_other_outcomes;
                CREATE TABLE runtime_event_keys_level0 (key INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (key, row_no)) WITHOUT ROWID;
                CREATE TABLE runtime_event_keys_level1 (key INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (key, row_no)) WITHOUT ROWID;
                CREATE TABLE runtime_event_keys_level2 (key INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (key, row_no)) WITHOUT ROWID;
                CREATE TABLE runtime_event_keys_sweep (id INTEGER PRIMARY KEY CHECK (id = 1), level0_next INTEGER NOT NULL, level1_next INTEGER NOT NULL);
                INSERT INTO runtime_event_keys_sweep (id, level0_next, level1_next) VALUES (1, 0, 0);
                INSERT INTO runtime_event_keys_level2 (key, row_no) SELECT welfare_id_key(event_id), event_no FROM runtime_events ORDER BY 1, 2;
                """)
        }
    }

    /// Headers as outbox rows held them before v4: a JSON array of `[name, value]` text pairs.
    private static func unpackVersionOneHeaders(_ text: String?) -> [KafkaHeader] {
        guard let text, case .array(let pairs)? = try? JSONParser.parse(Array(text.utf8)) else { return [] }
        return pairs.compactMap { pair in
            guard case .array(let parts) = pair, parts.count == 2, let name = parts[0].stringValue, let value = parts[1].stringValue else { return nil }
            return KafkaHeader(name, value)
        }
    }
}
