import Foundation
import GRDB
import Kafka
import Testing
import WelfareTestSupport
import TallyDomain
import WorkerRuntime

@Suite("store migrations", .timeLimit(.minutes(1)))
struct StoreMigrationTests {
    @Test("a store written with one row per outcome keeps every outcome, event id hash, dead letter and unique event id after the upgrades")
    func upgradeKeepsOutcomes() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("v1.sqlite").path
        try writeVersionOneStore(at: path)

        let store = try SQLiteStore(path: path, for: TallyDomain())
        let (outcomes, ids, deadLetters, tables) = try await store.queue.read { db in
            (try Row.fetchAll(db, sql: "SELECT partition, offset, event_id, outcome, reason_code FROM runtime_message_outcomes ORDER BY partition, offset")
                .map { "\($0[0] as Int)/\($0[1] as Int):\(($0[2] as String?) ?? "-"):\($0[3] as String):\(($0[4] as String?) ?? "-")" },
             try Row.fetchAll(db, sql: "SELECT event_id, hex(value_hash), outcome FROM runtime_events ORDER BY event_id")
                .map { "\($0[0] as String):\($0[1] as String):\($0[2] as String)" },
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM runtime_other_outcomes WHERE outcome = 'dead_lettered'") ?? -1,
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'runtime_%' ORDER BY name"))
        }
        #expect(outcomes == ["0/0:e1:applied:-", "0/1:e2:rejected:OVER_LIMIT", "0/2:e1:duplicate:-", "0/3:-:dead_lettered:MALFORMED_JSON"])
        #expect(ids == ["e1:0102:applied", "e2:0304:rejected"])
        #expect(deadLetters == 1)
        #expect(tables == ["runtime_event_keys_level0", "runtime_event_keys_level1", "runtime_event_keys_level2", "runtime_event_keys_sweep", "runtime_events",
                           "runtime_identity_key", "runtime_names", "runtime_other_outcomes", "runtime_outbox", "runtime_outbox_set_aside",
                           "runtime_partition_offsets", "runtime_retention"])
        // Messages waiting in the outbox become rows of one packed message each, in their order.
        let outbox = try await store.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, messages FROM runtime_outbox ORDER BY seq").map { row in
                (row["seq"] as Int64, PackedMessages.unpack([UInt8](row["messages"] as Data)) ?? [])
            }
        }
        #expect(outbox.map(\.0) == [7, 9])
        #expect(outbox.map(\.1.count) == [1, 1])
        let (notification, deadLetter) = (outbox.first?.1.first, outbox.last?.1.first)
        #expect(notification?.topic == "welfare.notifications" && notification?.key == Array("T1".utf8))
        #expect(notification?.value == Array(#"{"id":"n1"}"#.utf8) && notification?.headers == [])
        #expect(deadLetter?.topic == "welfare.tally.dlq" && deadLetter?.key == nil && deadLetter?.value == Array("not JSON".utf8))
        #expect(deadLetter?.headers == [KafkaHeader("dlq-reason", "MALFORMED_JSON"), KafkaHeader("dlq-offset", "3")])
        // An existing store keeps the page size it was made with.
        #expect(try await store.queue.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 4096)
        // Each event id is found through the id index, under its own row only.
        let found = try await store.queue.read { db in
            try ["e1", "e2", "e3"].map { id in
                try String.fetchAll(db, sql: """
                    SELECT event_id FROM runtime_events WHERE event_no IN (\(LeveledIdIndex.rowNumbers("runtime_event_keys", keyParameter: 1))) AND event_id = ?2
                    """, arguments: [LeveledIdIndex.key(of: id), id])
            }
        }
        #expect(found == [["e1"], ["e2"], []])
    }

    @Test("moving tally entries to append order keeps every entry, and an entry id still takes one entry only")
    func tallyEntriesKeepTheirRows() async throws {
        let store = try upgradedStore(TallyDomain(), from: "tally-v1", rows: """
            INSERT INTO tally_entries VALUES ('entry-2', 'T1', 5, 'e2'), ('entry-1', 'T1', 7, 'e1');
            """)
        defer { removeUpgradedStore(store) }
        let entries = try await store.queue.read { db in
            try String.fetchAll(db, sql: "SELECT entry_id || ':' || tally_id || ':' || amount || ':' || event_id FROM tally_entries ORDER BY entry_id")
        }
        #expect(entries == ["entry-1:T1:7:e1", "entry-2:T1:5:e2"])
        #expect(throws: DatabaseError.self) {
            try store.queue.write { try $0.execute(sql: "INSERT INTO tally_entries (entry_id, tally_id, amount, event_id) VALUES ('entry-1', 'T2', 1, 'e3')") }
        }
    }

    @Test("a new store is made with 8 KiB pages, in WAL mode, zeroing deleted content only where a page is written anyway, with temporary tables in memory once migrated")
    func newStorePageSize() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("new.sqlite").path, for: TallyDomain())
        let (pageSize, journal, secureDelete, tempStore) = try await store.queue.read { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size"), try String.fetchOne(db, sql: "PRAGMA journal_mode"),
             try Int.fetchOne(db, sql: "PRAGMA secure_delete"), try Int.fetchOne(db, sql: "PRAGMA temp_store"))
        }
        #expect(pageSize == SQLiteStore.pageSize && pageSize == 8192)
        #expect(journal == "wal")
        #expect(secureDelete == 2)  // FAST
        #expect(tempStore == 2, "MEMORY for the worker's statements; migrations sort through files")
    }
}

/// A store as the first runtime migration left it, with one message of each outcome.
private func writeVersionOneStore(at path: String) throws {
    let queue = try DatabaseQueue(path: path)
    try queue.write { db in
        try db.execute(sql: """
            CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
            INSERT INTO grdb_migrations VALUES ('runtime-v1');
            CREATE TABLE runtime_partition_offsets (topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
                PRIMARY KEY (topic, partition)) WITHOUT ROWID;
            CREATE TABLE runtime_message_outcomes (topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, event_id TEXT,
                event_type TEXT, outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'rejected', 'duplicate', 'dead_lettered')),
                reason_code TEXT, detail TEXT, PRIMARY KEY (topic, partition, offset)) WITHOUT ROWID;
            CREATE INDEX runtime_dead_letters ON runtime_message_outcomes (reason_code) WHERE outcome = 'dead_lettered';
            CREATE TABLE runtime_event_ids (event_id TEXT PRIMARY KEY, value_hash BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE runtime_outbox (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, message_key BLOB, message_value BLOB, headers TEXT);
            INSERT INTO runtime_partition_offsets VALUES ('welfare.tally', 0, 4);
            INSERT INTO runtime_event_ids VALUES ('e1', x'0102'), ('e2', x'0304');
            INSERT INTO runtime_message_outcomes VALUES
                ('welfare.tally', 0, 0, 'e1', 'tally.added.v1', 'applied', NULL, NULL),
                ('welfare.tally', 0, 1, 'e2', 'tally.added.v1', 'rejected', 'OVER_LIMIT', 'amount 900 is above the limit 500'),
                ('welfare.tally', 0, 2, 'e1', 'tally.added.v1', 'duplicate', NULL, NULL),
                ('welfare.tally', 0, 3, NULL, NULL, 'dead_lettered', 'MALFORMED_JSON', 'not JSON');
            INSERT INTO runtime_outbox VALUES
                (7, 'welfare.notifications', CAST('T1' AS BLOB), CAST('{"id":"n1"}' AS BLOB), NULL),
                (9, 'welfare.tally.dlq', NULL, CAST('not JSON' AS BLOB), '[["dlq-reason","MALFORMED_JSON"],["dlq-offset","3"]]');
            """)
    }
}
