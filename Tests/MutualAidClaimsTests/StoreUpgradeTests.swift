import Foundation
import GRDB
import MutualAidClaims
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("mutual-aid claims store upgrades")
struct StoreUpgradeTests {
    @Test("the upgrades keep claims and history in append order, the claim-status report, the unique keys, and count each claim's history")
    func appendOrderRebuildKeepsClaimsAndHistory() throws {
        let store = try upgradedStore(MutualAidClaimsDomain(), from: "mutual-aid-claims-v1", rows: """
            INSERT INTO ma_members VALUES ('M-1', '张三明', x'01', 'COMM-1');
            INSERT INTO ma_claims (claim_id, member_id, risk_code, incident_date, plan_year, status, documents, missing_documents,
                hospital_days, approved_fen, capped_by, rule_version, submitted_at)
            VALUES ('C-9', 'M-1', 'HOSPITALIZATION', '2026-05-01', 2026, 'APPROVED', '["id_card"]', '[]', 15, 120000, 'YEAR', 'plan-1', '2026-05-10T09:00:00+08:00'),
                   ('C-10', 'M-1', 'ACCIDENT', '2026-06-01', 2026, 'SUBMITTED', '[]', '[]', NULL, NULL, NULL, 'plan-1', '2026-06-02T09:00:00+08:00');
            INSERT INTO ma_claim_history VALUES ('C-9', 0, 'SUBMITTED', '2026-05-10T09:00:00+08:00', 'e1', 'mutual_aid.claim.submitted.v1'),
                                                ('C-9', 1, 'APPROVED', '2026-05-20T09:00:00+08:00', 'e2', 'mutual_aid.claim.reviewed.v1');
            """)
        defer { removeUpgradedStore(store) }
        let order = try store.queue.read { db in try String.fetchAll(db, sql: "SELECT claim_id FROM ma_claims ORDER BY rowid") }
        let reader = try StoreReader(location: store.path)
        let report = try ClaimStatusReport.load(claimID: "C-9", store: reader)
        let members = try ClaimStatusReport.load(memberID: "M-1", store: reader).map(\.claimID)
        #expect(order == ["C-9", "C-10"])  // in submission order
        #expect(report?.status == "APPROVED")
        #expect(report?.approvedFen == 120_000)
        #expect(report?.cappedBy == "YEAR")
        #expect(report?.memberName == "张*明")
        #expect(report?.timeline.map(\.status) == ["SUBMITTED", "APPROVED"])
        #expect(members == ["C-9", "C-10"])
        // Each claim counts the history entries it had (v3), so its next change takes the next place.
        let counts = try store.queue.read { db in
            try Row.fetchAll(db, sql: "SELECT claim_id, history_count FROM ma_claims ORDER BY rowid").map { "\($0[0] as String):\($0[1] as Int)" }
        }
        #expect(counts == ["C-9:2", "C-10:0"])
        #expect(throws: DatabaseError.self) {
            try store.queue.write { try $0.execute(sql: "INSERT INTO ma_claims SELECT * FROM ma_claims WHERE claim_id = 'C-9'") }
        }
        #expect(throws: DatabaseError.self) {
            try store.queue.write { try $0.execute(sql: "INSERT INTO ma_claim_history VALUES ('C-9', 1, 'PAID', 'at', 'e3', 't')") }
        }
    }
}
