import Foundation
import GRDB
import NewEmploymentBenefits
import Testing
import WelfareTestSupport

@Suite("new-employment benefits store upgrades")
struct StoreUpgradeTests {
    @Test("rebuilding the applications table for its cheaper state check keeps applications, their order, indexes and the check")
    func stateCheckRebuildKeepsApplications() throws {
        let domain = NewEmploymentBenefitsDomain(settings: BenefitSettings(catalogue: BenefitCatalogue(version: "upgrade", benefits: []),
                                                                           voucherSecret: "upgrade-test-secret-0123456789"))
        let store = try upgradedStore(domain, from: "new-employment-benefits-v1", rows: """
            INSERT INTO ne_applications VALUES
                (7, 'APP-1', 'W-1', 'MEAL_DISCOUNT', 2026, 'GRANTED', NULL, 12, x'01', '2026-08-08', 'v1', '2026-05-10T09:00:00+08:00', 'e1'),
                (9, 'APP-2', 'W-2', 'MEAL_DISCOUNT', 2026, 'WAITLISTED', NULL, 15, NULL, NULL, 'v1', '2026-05-10T09:01:00+08:00', 'e2');
            """)
        defer { removeUpgradedStore(store) }
        let (applications, waitlisted) = try store.queue.read { db in
            (try Row.fetchAll(db, sql: "SELECT seq, application_id, state FROM ne_applications ORDER BY seq").map { "\($0[0] as Int):\($0[1] as String):\($0[2] as String)" },
             try String.fetchAll(db, sql: """
                SELECT application_id FROM ne_applications INDEXED BY ne_applications_waitlist
                WHERE benefit_code = 'MEAL_DISCOUNT' AND year = 2026 AND state = 'WAITLISTED' ORDER BY seq
                """))
        }
        #expect(applications == ["7:APP-1:GRANTED", "9:APP-2:WAITLISTED"])
        #expect(waitlisted == ["APP-2"])
        #expect(throws: DatabaseError.self) {
            try store.queue.write { try $0.execute(sql: "UPDATE ne_applications SET state = 'LOST' WHERE seq = 7") }
        }
    }
}
