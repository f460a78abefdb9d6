import WorkerRuntime

/// The volunteer-hours tables. Migrations are append-only.
enum VolunteerSchema {
    static let sqlite = [
        SchemaMigration("volunteer-hours-v1", sql: """
                CREATE TABLE volunteers (
                    volunteer_id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    identity_hash BLOB NOT NULL UNIQUE,   -- SHA-256 of the identity number; the number itself is not kept
                    birth_date TEXT NOT NULL,
                    district TEXT NOT NULL,
                    guardian_consent INTEGER NOT NULL,
                    registered_at TEXT NOT NULL,
                    total_minutes INTEGER NOT NULL DEFAULT 0,
                    star_level INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;

                CREATE TABLE volunteer_records (
                    record_id TEXT PRIMARY KEY,
                    volunteer_id TEXT NOT NULL,
                    organization_id TEXT NOT NULL,
                    activity_id TEXT NOT NULL,
                    activity_name TEXT NOT NULL,
                    place TEXT NOT NULL,
                    service_content TEXT NOT NULL,
                    submitted_by TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    started_us INTEGER NOT NULL,
                    ended_us INTEGER NOT NULL,
                    service_date TEXT NOT NULL,          -- Asia/Shanghai date of started_at
                    claimed_minutes INTEGER NOT NULL,
                    approved_minutes INTEGER,
                    late INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('PENDING', 'APPROVED', 'DECLINED', 'VOIDED'))
                ) WITHOUT ROWID;
                -- Periods that still block others, found by start time within 24 hours: no history scan.
                CREATE INDEX volunteer_open_periods ON volunteer_records (volunteer_id, started_us) WHERE state IN ('PENDING', 'APPROVED');
                CREATE INDEX volunteer_approved_by_date ON volunteer_records (volunteer_id, service_date) WHERE state = 'APPROVED';

                CREATE TABLE volunteer_record_history (
                    record_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    at TEXT NOT NULL,
                    PRIMARY KEY (record_id, seq)
                ) WITHOUT ROWID;

                -- Append-only: credits and corrections; totals are kept in step with it.
                CREATE TABLE volunteer_ledger (
                    entry_id INTEGER PRIMARY KEY,
                    volunteer_id TEXT NOT NULL,
                    record_id TEXT NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('credit', 'correction')),
                    minutes INTEGER NOT NULL,
                    event_id TEXT NOT NULL,
                    at TEXT NOT NULL
                );
                CREATE INDEX volunteer_ledger_by_volunteer ON volunteer_ledger (volunteer_id);

                CREATE TABLE volunteer_corrections (
                    correction_id TEXT PRIMARY KEY,
                    record_id TEXT NOT NULL,
                    previous_minutes INTEGER NOT NULL,
                    minutes INTEGER NOT NULL,
                    reason TEXT NOT NULL,
                    corrected_by TEXT NOT NULL,
                    event_id TEXT NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE volunteer_certificates (
                    certificate_id TEXT PRIMARY KEY,
                    volunteer_id TEXT NOT NULL,
                    from_date TEXT NOT NULL,
                    to_date TEXT NOT NULL,
                    total_minutes INTEGER NOT NULL,
                    record_count INTEGER NOT NULL,
                    organizations TEXT NOT NULL,         -- JSON array of organisation ids, sorted
                    verify_code TEXT NOT NULL,
                    requested_by TEXT NOT NULL,
                    issued_at TEXT NOT NULL,
                    event_id TEXT NOT NULL
                ) WITHOUT ROWID;
            """),
        // v1's CHECK with a four-value IN list made SQLite build a temporary table for every written
        // record state; the same rule as an OR chain costs nothing. SQLite cannot alter a CHECK, so the
        // table is rebuilt (its indexes go with it and are created again).
        SchemaMigration("volunteer-hours-v2-state-check", sql: """
                CREATE TABLE volunteer_records_v2 (
                    record_id TEXT PRIMARY KEY,
                    volunteer_id TEXT NOT NULL,
                    organization_id TEXT NOT NULL,
                    activity_id TEXT NOT NULL,
                    activity_name TEXT NOT NULL,
                    place TEXT NOT NULL,
                    service_content TEXT NOT NULL,
                    submitted_by TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    started_us INTEGER NOT NULL,
                    ended_us INTEGER NOT NULL,
                    service_date TEXT NOT NULL,          -- Asia/Shanghai date of started_at
                    claimed_minutes INTEGER NOT NULL,
                    approved_minutes INTEGER,
                    late INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state = 'PENDING' OR state = 'APPROVED' OR state = 'DECLINED' OR state = 'VOIDED')
                ) WITHOUT ROWID;
                INSERT INTO volunteer_records_v2 SELECT * FROM volunteer_records;
                DROP TABLE volunteer_records;
                ALTER TABLE volunteer_records_v2 RENAME TO volunteer_records;
                CREATE INDEX volunteer_open_periods ON volunteer_records (volunteer_id, started_us) WHERE state IN ('PENDING', 'APPROVED');
                CREATE INDEX volunteer_approved_by_date ON volunteer_records (volunteer_id, service_date) WHERE state = 'APPROVED';
            """),
        // Records and their history become tables in append order (rowid) with small unique indexes on their
        // keys. Keyed by record id, every insert and approval rewrote a random page of wide rows, so each
        // event cost a WAL page of its own however large the batch; appended rows share pages, and the
        // small key indexes have few pages for a batch to dirty.
        SchemaMigration("volunteer-hours-v3-append-order", sql: """
                CREATE TABLE volunteer_records_v3 (
                    record_id TEXT NOT NULL UNIQUE,
                    volunteer_id TEXT NOT NULL,
                    organization_id TEXT NOT NULL,
                    activity_id TEXT NOT NULL,
                    activity_name TEXT NOT NULL,
                    place TEXT NOT NULL,
                    service_content TEXT NOT NULL,
                    submitted_by TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    started_us INTEGER NOT NULL,
                    ended_us INTEGER NOT NULL,
                    service_date TEXT NOT NULL,          -- Asia/Shanghai date of started_at
                    claimed_minutes INTEGER NOT NULL,
                    approved_minutes INTEGER,
                    late INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state = 'PENDING' OR state = 'APPROVED' OR state = 'DECLINED' OR state = 'VOIDED')
                );
                INSERT INTO volunteer_records_v3 (record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content, submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, approved_minutes, late, state)
                    SELECT record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content, submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, approved_minutes, late, state FROM volunteer_records ORDER BY started_us, record_id;
                DROP TABLE volunteer_records;
                ALTER TABLE volunteer_records_v3 RENAME TO volunteer_records;
                CREATE INDEX volunteer_open_periods ON volunteer_records (volunteer_id, started_us) WHERE state IN ('PENDING', 'APPROVED');
                CREATE INDEX volunteer_approved_by_date ON volunteer_records (volunteer_id, service_date) WHERE state = 'APPROVED';

                CREATE TABLE volunteer_record_history_v3 (
                    record_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    at TEXT NOT NULL,
                    UNIQUE (record_id, seq)
                );
                INSERT INTO volunteer_record_history_v3 (record_id, seq, state, event_id, event_type, at)
                    SELECT record_id, seq, state, event_id, event_type, at FROM volunteer_record_history ORDER BY record_id, seq;
                DROP TABLE volunteer_record_history;
                ALTER TABLE volunteer_record_history_v3 RENAME TO volunteer_record_history;
            """),
        // The period index covers every record instead of only PENDING and APPROVED ones: an index whose
        // WHERE names `state` is rewritten (entry deleted and inserted again) on every approval and decline;
        // this one is left alone, and the overlap check reads the state of the few records in its 24-hour
        // window from the table.
        SchemaMigration("volunteer-hours-v4-period-index", sql: """
                DROP INDEX volunteer_open_periods;
                CREATE INDEX volunteer_periods ON volunteer_records (volunteer_id, started_us);
            """),
        // Every B-tree keyed by volunteer takes writes at random places, so a batch dirties nearly all of its
        // pages and each one is a WAL frame: on the benchmark's store (50,000 volunteers, 250,000 records)
        // the volunteers table (744 pages, rewritten for each approval's totals), `volunteer_approved_by_date`
        // (891) and `volunteer_ledger_by_volunteer` (528) were two thirds of the pages a batch wrote.
        // - Totals and star levels move to a narrow table of their own, ~8 times fewer pages than the
        //   registrations they were rows of.
        // - Certificates find a volunteer's approved records through `volunteer_periods` (a service date
        //   is the Asia/Shanghai date of the start), so the by-date index goes.
        // - Nothing reads the ledger by volunteer (totals are kept in step with it), so its index goes.
        SchemaMigration("volunteer-hours-v5-narrow-totals", sql: """
                CREATE TABLE volunteer_totals (
                    volunteer_id TEXT PRIMARY KEY,
                    total_minutes INTEGER NOT NULL,
                    star_level INTEGER NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO volunteer_totals (volunteer_id, total_minutes, star_level)
                    SELECT volunteer_id, total_minutes, star_level FROM volunteers ORDER BY volunteer_id;
                ALTER TABLE volunteers DROP COLUMN total_minutes;
                ALTER TABLE volunteers DROP COLUMN star_level;
                DROP INDEX volunteer_approved_by_date;
                DROP INDEX volunteer_ledger_by_volunteer;
            """),
        // A record gets a number of its own (its INTEGER PRIMARY KEY: given in arrival order, never reused,
        // since records are never deleted, and kept by VACUUM, unlike an implicit rowid), and its history
        // refers to it by that number. Keyed by the record id text, the history's unique index took each
        // entry at a random place, a page written per entry. By number, a
        // submission's entry goes at the end and an approval's near the records of the last few batches.
        // `volunteer_record_history_by_id` shows the history with record ids, for people.
        SchemaMigration("volunteer-hours-v6-record-numbers", sql: """
                CREATE TABLE volunteer_records_v6 (
                    record_no INTEGER PRIMARY KEY,
                    record_id TEXT NOT NULL UNIQUE,
                    volunteer_id TEXT NOT NULL,
                    organization_id TEXT NOT NULL,
                    activity_id TEXT NOT NULL,
                    activity_name TEXT NOT NULL,
                    place TEXT NOT NULL,
                    service_content TEXT NOT NULL,
                    submitted_by TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    started_us INTEGER NOT NULL,
                    ended_us INTEGER NOT NULL,
                    service_date TEXT NOT NULL,          -- Asia/Shanghai date of started_at
                    claimed_minutes INTEGER NOT NULL,
                    approved_minutes INTEGER,
                    late INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state = 'PENDING' OR state = 'APPROVED' OR state = 'DECLINED' OR state = 'VOIDED')
                );
                INSERT INTO volunteer_records_v6 (record_no, record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content,
                        submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, approved_minutes, late, state)
                    SELECT rowid, record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content,
                        submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, approved_minutes, late, state
                    FROM volunteer_records ORDER BY rowid;
                CREATE TABLE volunteer_record_history_v6 (
                    record_no INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    at TEXT NOT NULL,
                    UNIQUE (record_no, seq)
                );
                INSERT INTO volunteer_record_history_v6 (record_no, seq, state, event_id, event_type, at)
                    SELECT records.record_no, history.seq, history.state, history.event_id, history.event_type, history.at
                    FROM volunteer_record_history AS history JOIN volunteer_records_v6 AS records ON records.record_id = history.record_id
                    ORDER BY history.rowid;
                DROP TABLE volunteer_record_history;
                ALTER TABLE volunteer_record_history_v6 RENAME TO volunteer_record_history;
                DROP TABLE volunteer_records;
                ALTER TABLE volunteer_records_v6 RENAME TO volunteer_records;
                CREATE INDEX volunteer_periods ON volunteer_records (volunteer_id, started_us);
                CREATE VIEW volunteer_record_history_by_id AS
                    SELECT records.record_id, history.seq, history.state, history.event_id, history.event_type, history.at
                    FROM volunteer_record_history AS history JOIN volunteer_records AS records USING (record_no);
            """),
        // The unique index of record ids (UUIDs, as upstream systems make them) wrote about a page per new
        // record once it outgrew the page cache. Records are found by id through a `LeveledIdIndex`
        // (`volunteer_record_keys`) instead, which writes a page for many ids at once.
        SchemaMigration("volunteer-hours-v7-leveled-record-ids", sql: """
                DROP VIEW volunteer_record_history_by_id;
                CREATE TABLE volunteer_records_v7 (
                    record_no INTEGER PRIMARY KEY,
                    record_id TEXT NOT NULL,
                    volunteer_id TEXT NOT NULL,
                    organization_id TEXT NOT NULL,
                    activity_id TEXT NOT NULL,
                    activity_name TEXT NOT NULL,
                    place TEXT NOT NULL,
                    service_content TEXT NOT NULL,
                    submitted_by TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    ended_at TEXT NOT NULL,
                    started_us INTEGER NOT NULL,
                    ended_us INTEGER NOT NULL,
                    service_date TEXT NOT NULL,          -- Asia/Shanghai date of started_at
                    claimed_minutes INTEGER NOT NULL,
                    approved_minutes INTEGER,
                    late INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state = 'PENDING' OR state = 'APPROVED' OR state = 'DECLINED' OR state = 'VOIDED')
                );
                INSERT INTO volunteer_records_v7 (record_no, record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content,
                        submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, approved_minutes, late, state)
                    SELECT record_no, record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content,
                        submitted_by, started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, approved_minutes, late, state
                    FROM volunteer_records ORDER BY record_no;
                DROP TABLE volunteer_records;
                ALTER TABLE volunteer_records_v7 RENAME TO volunteer_records;
                CREATE INDEX volunteer_periods ON volunteer_records (volunteer_id, started_us);
                CREATE VIEW volunteer_record_history_by_id AS
                    SELECT records.record_id, history.seq, history.state, history.event_id, history.event_type, history.at
                    FROM volunteer_record_history AS history JOIN volunteer_records AS records USING (record_no);
                CREATE TABLE volunteer_record_keys_level0 (key INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (key, row_no)) WITHOUT ROWID;
                CREATE TABLE volunteer_record_keys_level1 (key INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (key, row_no)) WITHOUT ROWID;
                CREATE TABLE volunteer_record_keys_level2 (key INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (key, row_no)) WITHOUT ROWID;
                CREATE TABLE volunteer_record_keys_sweep (id INTEGER PRIMARY KEY CHECK (id = 1), level0_next INTEGER NOT NULL, level1_next INTEGER NOT NULL);
                INSERT INTO volunteer_record_keys_sweep (id, level0_next, level1_next) VALUES (1, 0, 0);
                INSERT INTO volunteer_record_keys_level2 (key, row_no) SELECT welfare_id_key(record_id), record_no FROM volunteer_records ORDER BY 1, 2;
            """),
        // The unique index of identity hashes (random by nature) wrote about a page per registration once it
        // outgrew the page cache. They are filed in a `LeveledIdIndex` used as a set of digests
        // (`volunteer_identity_keys`: the first 128 bits of each keyed hash) instead.
        SchemaMigration("volunteer-hours-v8-leveled-identities", sql: """
                CREATE TABLE volunteers_v8 (
                    volunteer_id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    identity_hash BLOB NOT NULL,   -- keyed hash of the identity number; the number itself is not kept
                    birth_date TEXT NOT NULL,
                    district TEXT NOT NULL,
                    guardian_consent INTEGER NOT NULL,
                    registered_at TEXT NOT NULL
                ) WITHOUT ROWID;
                INSERT INTO volunteers_v8 (volunteer_id, name, identity_hash, birth_date, district, guardian_consent, registered_at)
                    SELECT volunteer_id, name, identity_hash, birth_date, district, guardian_consent, registered_at FROM volunteers ORDER BY volunteer_id;
                DROP TABLE volunteers;
                ALTER TABLE volunteers_v8 RENAME TO volunteers;
                CREATE TABLE volunteer_identity_keys_level0 (key INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (key, row_no)) WITHOUT ROWID;
                CREATE TABLE volunteer_identity_keys_level1 (key INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (key, row_no)) WITHOUT ROWID;
                CREATE TABLE volunteer_identity_keys_level2 (key INTEGER NOT NULL, row_no INTEGER NOT NULL, PRIMARY KEY (key, row_no)) WITHOUT ROWID;
                CREATE TABLE volunteer_identity_keys_sweep (id INTEGER PRIMARY KEY CHECK (id = 1), level0_next INTEGER NOT NULL, level1_next INTEGER NOT NULL);
                INSERT INTO volunteer_identity_keys_sweep (id, level0_next, level1_next) VALUES (1, 0, 0);
                INSERT INTO volunteer_identity_keys_level2 (key, row_no)
                    SELECT welfare_digest_part(identity_hash, 0), welfare_digest_part(identity_hash, 1) FROM volunteers ORDER BY 1, 2;
            """),
    ]

    /// The same tables in PostgreSQL, for several instances sharing one store. An identity number taken by
    /// two registrations at once is refused by the unique index: the later transaction fails, and its
    /// message, tried again alone, is then a `DUPLICATE_IDENTITY` rejection.
    static let postgresql = [
        SchemaMigration("volunteer-hours-postgres-v1", sql: """
            CREATE TABLE volunteers (
                volunteer_id text PRIMARY KEY,
                name text NOT NULL,
                identity_hash bytea NOT NULL UNIQUE,   -- keyed hash of the identity number; the number itself is not kept
                birth_date text NOT NULL,
                district text NOT NULL,
                guardian_consent integer NOT NULL,
                registered_at text NOT NULL
            );
            CREATE TABLE volunteer_totals (
                volunteer_id text PRIMARY KEY,
                total_minutes bigint NOT NULL,
                star_level integer NOT NULL
            );
            CREATE TABLE volunteer_records (
                record_no bigserial PRIMARY KEY,
                record_id text NOT NULL UNIQUE,
                volunteer_id text NOT NULL,
                organization_id text NOT NULL,
                activity_id text NOT NULL,
                activity_name text NOT NULL,
                place text NOT NULL,
                service_content text NOT NULL,
                submitted_by text NOT NULL,
                started_at text NOT NULL,
                ended_at text NOT NULL,
                started_us bigint NOT NULL,
                ended_us bigint NOT NULL,
                service_date text NOT NULL,          -- Asia/Shanghai date of started_at
                claimed_minutes bigint NOT NULL,
                approved_minutes bigint,
                late integer NOT NULL,
                state text NOT NULL CHECK (state IN ('PENDING', 'APPROVED', 'DECLINED', 'VOIDED'))
            );
            CREATE INDEX volunteer_periods ON volunteer_records (volunteer_id, started_us);
            CREATE TABLE volunteer_record_history (
                record_no bigint NOT NULL,
                seq integer NOT NULL,
                state text NOT NULL,
                event_id text NOT NULL,
                event_type text NOT NULL,
                at text NOT NULL,
                UNIQUE (record_no, seq)
            );
            CREATE VIEW volunteer_record_history_by_id AS
                SELECT records.record_id, history.seq, history.state, history.event_id, history.event_type, history.at
                FROM volunteer_record_history AS history JOIN volunteer_records AS records USING (record_no);
            CREATE TABLE volunteer_ledger (
                entry_id bigserial PRIMARY KEY,
                volunteer_id text NOT NULL,
                record_id text NOT NULL,
                kind text NOT NULL CHECK (kind IN ('credit', 'correction')),
                minutes bigint NOT NULL,
                event_id text NOT NULL,
                at text NOT NULL
            );
            CREATE TABLE volunteer_corrections (
                correction_id text PRIMARY KEY,
                record_id text NOT NULL,
                previous_minutes bigint NOT NULL,
                minutes bigint NOT NULL,
                reason text NOT NULL,
                corrected_by text NOT NULL,
                event_id text NOT NULL
            );
            CREATE TABLE volunteer_certificates (
                certificate_id text PRIMARY KEY,
                volunteer_id text NOT NULL,
                from_date text NOT NULL,
                to_date text NOT NULL,
                total_minutes bigint NOT NULL,
                record_count integer NOT NULL,
                organizations text NOT NULL,         -- JSON array of organisation ids, sorted
                verify_code text NOT NULL,
                requested_by text NOT NULL,
                issued_at text NOT NULL,
                event_id text NOT NULL
            );
            """),
    ]
}
