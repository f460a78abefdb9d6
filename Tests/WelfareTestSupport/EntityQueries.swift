/// The queries that compare two stores of a domain entity by entity, in SQL both engines run. Rows that
/// number themselves in the order partitions were met in (ledger and cap-usage entries) are sorted by the
/// column the caller names: their entry number where two runs meet events in the same order, another key
/// where they need not.
public enum EntityQueries {
    public static func volunteerHours(ledgerOrder: String) -> [String] {
        [
            "SELECT * FROM volunteers ORDER BY volunteer_id",
            "SELECT * FROM volunteer_totals ORDER BY volunteer_id",
            // Record numbers follow the order the worker met the partitions' events in, which two runs need
            // not share; everything else about a record and its history must match.
            """
            SELECT record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content, submitted_by, started_at,
                ended_at, started_us, ended_us, service_date, claimed_minutes, approved_minutes, late, state
            FROM volunteer_records ORDER BY record_id
            """,
            "SELECT * FROM volunteer_record_history_by_id ORDER BY record_id, seq",
            "SELECT volunteer_id, record_id, kind, minutes, event_id, at FROM volunteer_ledger ORDER BY volunteer_id, \(ledgerOrder)",
            "SELECT * FROM volunteer_corrections ORDER BY correction_id",
            "SELECT * FROM volunteer_certificates ORDER BY certificate_id",
        ]
    }

    public static func mutualAidClaims(capUsageOrder: String) -> [String] {
        [
            "SELECT * FROM ma_members ORDER BY member_id",
            "SELECT * FROM ma_enrolments ORDER BY member_id, plan_year",
            """
            SELECT claim_id, member_id, risk_code, incident_date, plan_year, status, documents, missing_documents, hospital_days, self_paid_fen,
                disability_grade, approved_fen, paid_fen, capped_by, reason_code, rule_version, submitted_at, history_count
            FROM ma_claims ORDER BY claim_id
            """,
            "SELECT * FROM ma_claim_history ORDER BY claim_id, seq",
            "SELECT member_id, risk_code, plan_year, claim_id, amount_fen FROM ma_cap_usage ORDER BY member_id, \(capUsageOrder)",
            "SELECT * FROM ma_payments ORDER BY claim_id, payment_ref",
        ]
    }
}
