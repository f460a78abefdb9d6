import WorkerRuntime

/// The new-employment benefits tables. Migrations are append-only.
enum BenefitSchema {
    static let sqlite = [
        SchemaMigration("new-employment-benefits-v1", sql: """
                CREATE TABLE ne_workers (
                    worker_id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    identity_hash BLOB NOT NULL UNIQUE,    -- SHA-256 of the identity number; the number is not kept
                    occupation TEXT NOT NULL,
                    platforms TEXT NOT NULL,               -- JSON array
                    district TEXT NOT NULL,
                    registered_at TEXT NOT NULL
                ) WITHOUT ROWID;

                -- One row per (worker, day, platform); a restated report replaces it.
                CREATE TABLE ne_activity (
                    worker_id TEXT NOT NULL,
                    day TEXT NOT NULL,
                    platform TEXT NOT NULL,
                    orders INTEGER NOT NULL,
                    online_minutes INTEGER NOT NULL,
                    PRIMARY KEY (worker_id, day, platform)
                ) WITHOUT ROWID;

                -- seq is the input order (the order this worker applied them): the waiting list's order.
                CREATE TABLE ne_applications (
                    seq INTEGER PRIMARY KEY,
                    application_id TEXT NOT NULL UNIQUE,
                    worker_id TEXT NOT NULL,
                    benefit_code TEXT NOT NULL,
                    year INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('GRANTED', 'WAITLISTED', 'DENIED', 'REDEEMED', 'CANCELLED')),
                    reason_code TEXT,
                    active_days INTEGER NOT NULL,
                    voucher_hash BLOB UNIQUE,              -- SHA-256 of the voucher code; the code itself is not kept
                    valid_until TEXT,
                    catalogue_version TEXT NOT NULL,
                    applied_at TEXT NOT NULL,
                    event_id TEXT NOT NULL
                );
                CREATE INDEX ne_applications_by_worker ON ne_applications (worker_id, benefit_code, year, state);
                CREATE INDEX ne_applications_waitlist ON ne_applications (benefit_code, year, seq) WHERE state = 'WAITLISTED';

                -- Seats taken per benefit and year; never above the quota (checked in the applying transaction).
                CREATE TABLE ne_quota_seats (
                    benefit_code TEXT NOT NULL,
                    year INTEGER NOT NULL,
                    taken INTEGER NOT NULL,
                    PRIMARY KEY (benefit_code, year)
                ) WITHOUT ROWID;

                CREATE TABLE ne_redemptions (
                    redemption_id TEXT PRIMARY KEY,
                    application_id TEXT NOT NULL,
                    site_id TEXT NOT NULL,
                    redeemed_at TEXT NOT NULL,
                    event_id TEXT NOT NULL
                ) WITHOUT ROWID;
            """),
        // v1's CHECK with a five-value IN list made SQLite build a temporary table for every written
        // application state; the same rule as an OR chain costs nothing. SQLite cannot alter a CHECK, so
        // the table is rebuilt (its indexes go with it and are created again).
        SchemaMigration("new-employment-benefits-v2-state-check", sql: """
                CREATE TABLE ne_applications_v2 (
                    seq INTEGER PRIMARY KEY,
                    application_id TEXT NOT NULL UNIQUE,
                    worker_id TEXT NOT NULL,
                    benefit_code TEXT NOT NULL,
                    year INTEGER NOT NULL,
                    state TEXT NOT NULL CHECK (state = 'GRANTED' OR state = 'WAITLISTED' OR state = 'DENIED' OR state = 'REDEEMED' OR state = 'CANCELLED'),
                    reason_code TEXT,
                    active_days INTEGER NOT NULL,
                    voucher_hash BLOB UNIQUE,              -- SHA-256 of the voucher code; the code itself is not kept
                    valid_until TEXT,
                    catalogue_version TEXT NOT NULL,
                    applied_at TEXT NOT NULL,
                    event_id TEXT NOT NULL
                );
                INSERT INTO ne_applications_v2 SELECT * FROM ne_applications;
                DROP TABLE ne_applications;
                ALTER TABLE ne_applications_v2 RENAME TO ne_applications;
                CREATE INDEX ne_applications_by_worker ON ne_applications (worker_id, benefit_code, year, state);
                CREATE INDEX ne_applications_waitlist ON ne_applications (benefit_code, year, seq) WHERE state = 'WAITLISTED';
            """),
    ]

    /// The same tables in PostgreSQL, for several instances sharing one store. Quotas and the waiting list
    /// span partitions: `PostgresBenefitRecords` serialises them (see there).
    static let postgresql = [
        SchemaMigration("new-employment-benefits-postgres-v1", sql: """
            CREATE TABLE ne_workers (
                worker_id text PRIMARY KEY,
                name text NOT NULL,
                identity_hash bytea NOT NULL UNIQUE,    -- keyed hash of the identity number; the number is not kept
                occupation text NOT NULL,
                platforms text NOT NULL,               -- JSON array
                district text NOT NULL,
                registered_at text NOT NULL
            );
            CREATE TABLE ne_activity (
                worker_id text NOT NULL,
                day text NOT NULL,
                platform text NOT NULL,
                orders bigint NOT NULL,
                online_minutes bigint NOT NULL,
                PRIMARY KEY (worker_id, day, platform)
            );
            CREATE TABLE ne_applications (
                seq bigserial PRIMARY KEY,
                application_id text NOT NULL UNIQUE,
                worker_id text NOT NULL,
                benefit_code text NOT NULL,
                year integer NOT NULL,
                state text NOT NULL CHECK (state IN ('GRANTED', 'WAITLISTED', 'DENIED', 'REDEEMED', 'CANCELLED')),
                reason_code text,
                active_days integer NOT NULL,
                voucher_hash bytea UNIQUE,              -- SHA-256 of the voucher code; the code itself is not kept
                valid_until text,
                catalogue_version text NOT NULL,
                applied_at text NOT NULL,
                event_id text NOT NULL
            );
            CREATE INDEX ne_applications_by_worker ON ne_applications (worker_id, benefit_code, year, state);
            CREATE INDEX ne_applications_waitlist ON ne_applications (benefit_code, year, seq) WHERE state = 'WAITLISTED';
            CREATE TABLE ne_quota_seats (
                benefit_code text NOT NULL,
                year integer NOT NULL,
                taken integer NOT NULL,
                PRIMARY KEY (benefit_code, year)
            );
            CREATE TABLE ne_redemptions (
                redemption_id text PRIMARY KEY,
                application_id text NOT NULL,
                site_id text NOT NULL,
                redeemed_at text NOT NULL,
                event_id text NOT NULL
            );
            """),
    ]
}
