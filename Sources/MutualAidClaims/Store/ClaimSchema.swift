import WorkerRuntime

/// The mutual-aid tables. Migrations are append-only.
enum ClaimSchema {
    static let sqlite = [
        SchemaMigration("mutual-aid-claims-v1", sql: """
                CREATE TABLE ma_members (
                    member_id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    identity_hash BLOB NOT NULL UNIQUE,    -- SHA-256 of the identity number; the number is not kept
                    community_id TEXT NOT NULL
                ) WITHOUT ROWID;

                CREATE TABLE ma_enrolments (
                    member_id TEXT NOT NULL,
                    plan_year INTEGER NOT NULL,
                    enrolled_on TEXT NOT NULL,
                    coverage_from TEXT NOT NULL,
                    waiting_until TEXT,
                    renewal INTEGER NOT NULL,
                    contribution_fen INTEGER NOT NULL,
                    rule_version TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    PRIMARY KEY (member_id, plan_year)
                ) WITHOUT ROWID;

                CREATE TABLE ma_claims (
                    claim_id TEXT PRIMARY KEY,
                    member_id TEXT NOT NULL,
                    risk_code TEXT NOT NULL,
                    incident_date TEXT NOT NULL,
                    plan_year INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    documents TEXT NOT NULL,               -- JSON array of the documents received
                    missing_documents TEXT NOT NULL,       -- JSON array, in the plan's order ([] outside DOCUMENTS_REQUESTED)
                    hospital_days INTEGER,
                    self_paid_fen INTEGER,
                    disability_grade INTEGER,
                    approved_fen INTEGER,
                    paid_fen INTEGER,
                    capped_by TEXT,
                    reason_code TEXT,
                    rule_version TEXT NOT NULL,
                    submitted_at TEXT NOT NULL
                ) WITHOUT ROWID;
                CREATE INDEX ma_claims_by_member ON ma_claims (member_id, risk_code, incident_date);

                -- Every status change, oldest first: the timeline of claim-status.
                CREATE TABLE ma_claim_history (
                    claim_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    at TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    PRIMARY KEY (claim_id, seq)
                ) WITHOUT ROWID;

                -- Approved amounts: the caps are computed from this ledger.
                CREATE TABLE ma_cap_usage (
                    entry_id INTEGER PRIMARY KEY,
                    member_id TEXT NOT NULL,
                    risk_code TEXT NOT NULL,
                    plan_year INTEGER NOT NULL,
                    claim_id TEXT NOT NULL,
                    amount_fen INTEGER NOT NULL
                );
                CREATE INDEX ma_cap_usage_by_member ON ma_cap_usage (member_id, risk_code, plan_year);

                CREATE TABLE ma_payments (
                    claim_id TEXT NOT NULL,
                    payment_ref TEXT NOT NULL,
                    outcome TEXT NOT NULL CHECK (outcome IN ('paid', 'failed')),
                    amount_fen INTEGER,
                    paid_on TEXT,
                    reason TEXT,
                    event_id TEXT NOT NULL,
                    PRIMARY KEY (claim_id, payment_ref, outcome)
                ) WITHOUT ROWID;
            """),
        // Claims and their history become tables in append order (rowid) with small unique indexes on their
        // keys. Keyed by claim id, every submission, document, review and payment rewrote a random page of
        // wide rows, so each event cost a WAL page of its own; appended rows share pages with the claims
        // submitted around them, and the small key indexes have few pages for a batch to dirty.
        SchemaMigration("mutual-aid-claims-v2-append-order", sql: """
                CREATE TABLE ma_claims_v2 (
                    claim_id TEXT NOT NULL UNIQUE,
                    member_id TEXT NOT NULL,
                    risk_code TEXT NOT NULL,
                    incident_date TEXT NOT NULL,
                    plan_year INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    documents TEXT NOT NULL,               -- JSON array of the documents received
                    missing_documents TEXT NOT NULL,       -- JSON array, in the plan's order ([] outside DOCUMENTS_REQUESTED)
                    hospital_days INTEGER,
                    self_paid_fen INTEGER,
                    disability_grade INTEGER,
                    approved_fen INTEGER,
                    paid_fen INTEGER,
                    capped_by TEXT,
                    reason_code TEXT,
                    rule_version TEXT NOT NULL,
                    submitted_at TEXT NOT NULL
                );
                INSERT INTO ma_claims_v2 (claim_id, member_id, risk_code, incident_date, plan_year, status, documents, missing_documents, hospital_days, self_paid_fen, disability_grade, approved_fen, paid_fen, capped_by, reason_code, rule_version, submitted_at) SELECT claim_id, member_id, risk_code, incident_date, plan_year, status, documents, missing_documents, hospital_days, self_paid_fen, disability_grade, approved_fen, paid_fen, capped_by, reason_code, rule_version, submitted_at FROM ma_claims ORDER BY submitted_at, claim_id;
                DROP TABLE ma_claims;
                ALTER TABLE ma_claims_v2 RENAME TO ma_claims;
                CREATE INDEX ma_claims_by_member ON ma_claims (member_id, risk_code, incident_date);

                -- Every status change, oldest first: the timeline of claim-status.
                CREATE TABLE ma_claim_history_v2 (
                    claim_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    at TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    event_type TEXT NOT NULL,
                    UNIQUE (claim_id, seq)
                );
                INSERT INTO ma_claim_history_v2 (claim_id, seq, status, at, event_id, event_type)
                    SELECT claim_id, seq, status, at, event_id, event_type FROM ma_claim_history ORDER BY claim_id, seq;
                DROP TABLE ma_claim_history;
                ALTER TABLE ma_claim_history_v2 RENAME TO ma_claim_history;
            """),
        // A claim counts its history entries, so that a status change knows the next entry's place from the
        // claim row it reads anyway instead of counting the history (a tenth of the writer thread).
        SchemaMigration("mutual-aid-claims-v3-history-count", sql: """
                ALTER TABLE ma_claims ADD COLUMN history_count INTEGER NOT NULL DEFAULT 0;
                UPDATE ma_claims SET history_count = (SELECT COUNT(*) FROM ma_claim_history h WHERE h.claim_id = ma_claims.claim_id);
            """),
    ]

    /// The same tables in PostgreSQL, for several instances sharing one store. A member's enrolments, claims,
    /// caps and payments travel on the member's partition; an identity number enrolled by two members at once
    /// is refused by the unique index (the later message, tried again alone, is a `DUPLICATE_IDENTITY`).
    static let postgresql = [
        SchemaMigration("mutual-aid-claims-postgres-v1", sql: """
            CREATE TABLE ma_members (
                member_id text PRIMARY KEY,
                name text NOT NULL,
                identity_hash bytea NOT NULL UNIQUE,    -- keyed hash of the identity number; the number is not kept
                community_id text NOT NULL
            );
            CREATE TABLE ma_enrolments (
                member_id text NOT NULL,
                plan_year integer NOT NULL,
                enrolled_on text NOT NULL,
                coverage_from text NOT NULL,
                waiting_until text,
                renewal integer NOT NULL,
                contribution_fen bigint NOT NULL,
                rule_version text NOT NULL,
                event_id text NOT NULL,
                PRIMARY KEY (member_id, plan_year)
            );
            CREATE TABLE ma_claims (
                claim_no bigserial PRIMARY KEY,
                claim_id text NOT NULL UNIQUE,
                member_id text NOT NULL,
                risk_code text NOT NULL,
                incident_date text NOT NULL,
                plan_year integer NOT NULL,
                status text NOT NULL,
                documents text NOT NULL,               -- JSON array of the documents received
                missing_documents text NOT NULL,       -- JSON array, in the plan's order ([] outside DOCUMENTS_REQUESTED)
                hospital_days bigint,
                self_paid_fen bigint,
                disability_grade bigint,
                approved_fen bigint,
                paid_fen bigint,
                capped_by text,
                reason_code text,
                rule_version text NOT NULL,
                submitted_at text NOT NULL,
                history_count bigint NOT NULL DEFAULT 0
            );
            CREATE INDEX ma_claims_by_member ON ma_claims (member_id, risk_code, incident_date);
            CREATE TABLE ma_claim_history (
                claim_id text NOT NULL,
                seq bigint NOT NULL,
                status text NOT NULL,
                at text NOT NULL,
                event_id text NOT NULL,
                event_type text NOT NULL,
                UNIQUE (claim_id, seq)
            );
            CREATE TABLE ma_cap_usage (
                entry_id bigserial PRIMARY KEY,
                member_id text NOT NULL,
                risk_code text NOT NULL,
                plan_year integer NOT NULL,
                claim_id text NOT NULL,
                amount_fen bigint NOT NULL
            );
            CREATE INDEX ma_cap_usage_by_member ON ma_cap_usage (member_id, risk_code, plan_year);
            CREATE TABLE ma_payments (
                claim_id text NOT NULL,
                payment_ref text NOT NULL,
                outcome text NOT NULL CHECK (outcome IN ('paid', 'failed')),
                amount_fen bigint,
                paid_on text,
                reason text,
                event_id text NOT NULL,
                PRIMARY KEY (claim_id, payment_ref, outcome)
            );
            """),
    ]
}
