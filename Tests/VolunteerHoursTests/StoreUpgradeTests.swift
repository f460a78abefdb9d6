import Foundation
import GRDB
import Testing
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

@Suite("volunteer-hours store upgrades")
struct StoreUpgradeTests {
    @Test("rebuilding the records table for its cheaper state check keeps the records, the period index and the check")
    func stateCheckRebuildKeepsRecords() throws {
        let store = try upgradedStore(VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "upgrade-test-secret-0123456789")),
                                      from: "volunteer-hours-v1", rows: """
            INSERT INTO volunteer_records VALUES ('R-1', 'V-1', 'ORG-1', 'ACT-1', '社区清洁', '玉林社区', '清扫', 'U-1',
                '2026-05-10T09:00:00+08:00', '2026-05-10T12:30:00+08:00', 1778374800000000, 1778387400000000, '2026-05-10', 210, NULL, 0, 'PENDING');
            """)
        defer { removeUpgradedStore(store) }
        let (record, indexed) = try store.queue.read { db in
            (try Row.fetchOne(db, sql: "SELECT record_id, claimed_minutes, state FROM volunteer_records").map { "\($0[0] as String):\($0[1] as Int):\($0[2] as String)" },
             try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM volunteer_records INDEXED BY volunteer_periods
                WHERE volunteer_id = 'V-1' AND state IN ('PENDING', 'APPROVED') AND started_us > 0
                """))
        }
        #expect(record == "R-1:210:PENDING")
        #expect(indexed == 1)
        #expect(throws: DatabaseError.self) {
            try store.queue.write { try $0.execute(sql: "UPDATE volunteer_records SET state = 'LOST' WHERE record_id = 'R-1'") }
        }
    }

    @Test("rebuilding records and history in append order keeps both, their indexes and their unique keys")
    func appendOrderRebuildKeepsRecordsAndHistory() throws {
        let store = try upgradedStore(VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "upgrade-test-secret-0123456789")),
                                      from: "volunteer-hours-v2-state-check", rows: """
            INSERT INTO volunteer_records VALUES ('R-2', 'V-1', 'ORG-1', 'ACT-1', '社区清洁', '玉林社区', '清扫', 'U-1',
                '2026-05-11T09:00:00+08:00', '2026-05-11T10:00:00+08:00', 1778461200000000, 1778464800000000, '2026-05-11', 60, 60, 0, 'APPROVED');
            INSERT INTO volunteer_records VALUES ('R-1', 'V-1', 'ORG-1', 'ACT-1', '社区清洁', '玉林社区', '清扫', 'U-1',
                '2026-05-10T09:00:00+08:00', '2026-05-10T12:30:00+08:00', 1778374800000000, 1778387400000000, '2026-05-10', 210, NULL, 0, 'PENDING');
            INSERT INTO volunteer_record_history VALUES ('R-2', 0, 'PENDING', 'e1', 'volunteer.hours.submitted.v1', '2026-05-11T18:00:00+08:00');
            INSERT INTO volunteer_record_history VALUES ('R-2', 1, 'APPROVED', 'e2', 'volunteer.hours.approved.v1', '2026-05-11T20:00:00+08:00');
            """)
        defer { removeUpgradedStore(store) }
        let (records, history, approved) = try store.queue.read { db in
            (try String.fetchAll(db, sql: "SELECT record_id || ':' || state || ':' || claimed_minutes FROM volunteer_records ORDER BY rowid"),
             try String.fetchAll(db, sql: "SELECT record_id || '/' || seq || ':' || state FROM volunteer_record_history_by_id ORDER BY record_id, seq"),
             try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM volunteer_records INDEXED BY volunteer_periods
                WHERE volunteer_id = 'V-1' AND started_us > 0 AND state = 'APPROVED'
                """))
        }
        #expect(records == ["R-1:PENDING:210", "R-2:APPROVED:60"])  // in service order
        #expect(history == ["R-2/0:PENDING", "R-2/1:APPROVED"])
        #expect(approved == 1)
        #expect(try store.queue.read { try recordNumbers(of: ["R-1", "R-2", "R-3"], in: $0) } == [[1], [2], []])
        #expect(throws: DatabaseError.self) {
            try store.queue.write { try $0.execute(sql: """
                INSERT INTO volunteer_record_history SELECT record_no, 1, 'VOIDED', 'e3', 't', 'at' FROM volunteer_records WHERE record_id = 'R-2'
                """) }
        }
    }

    @Test("the period index covers every record, declined ones too, and the overlap check searches it")
    func periodIndexCoversEveryRecord() throws {
        let store = try upgradedStore(VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "upgrade-test-secret-0123456789")),
                                      from: "volunteer-hours-v3-append-order", rows: """
            INSERT INTO volunteer_records (record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content, submitted_by,
                started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, approved_minutes, late, state)
            VALUES ('R-1', 'V-1', 'ORG-1', 'ACT-1', '社区清洁', '玉林社区', '清扫', 'U-1', '2026-05-10T09:00:00+08:00', '2026-05-10T12:30:00+08:00',
                1778374800000000, 1778387400000000, '2026-05-10', 210, NULL, 0, 'DECLINED');
            """)
        defer { removeUpgradedStore(store) }
        let (indexes, covered, plan) = try store.queue.read { db in
            (try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'volunteer_records' AND sql IS NOT NULL ORDER BY name"),
             try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM volunteer_records INDEXED BY volunteer_periods WHERE volunteer_id = 'V-1' AND started_us > 0"),
             try Row.fetchAll(db, sql: """
                EXPLAIN QUERY PLAN SELECT 1 FROM volunteer_records
                WHERE volunteer_id = 'V-1' AND state IN ('PENDING', 'APPROVED') AND started_us > 0 AND started_us < 1778387400000000 AND ended_us > 0
                LIMIT 1
                """).map { $0["detail"] as String }.joined(separator: "; "))
        }
        #expect(indexes == ["volunteer_periods"])
        #expect(covered == 1)
        #expect(plan.contains("volunteer_periods"), "plan: \(plan)")
    }

    @Test("moving totals to a narrow table keeps every volunteer's total and star level and drops the indexes nothing reads")
    func narrowTotalsKeepTotals() throws {
        let store = try upgradedStore(VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "upgrade-test-secret-0123456789")),
                                      from: "volunteer-hours-v4-period-index", rows: """
            INSERT INTO volunteers (volunteer_id, name, identity_hash, birth_date, district, guardian_consent, registered_at, total_minutes, star_level)
            VALUES ('V-1', '张三', x'01', '1990-01-01', '锦江区', 0, '2026-01-02T09:00:00+08:00', 6000, 1),
                   ('V-2', '李四', x'02', '1991-02-03', '青羊区', 0, '2026-01-02T09:00:00+08:00', 0, 0);
            INSERT INTO volunteer_ledger (volunteer_id, record_id, kind, minutes, event_id, at) VALUES ('V-1', 'R-1', 'credit', 6000, 'e1', '2026-05-10T20:00:00+08:00');
            """)
        defer { removeUpgradedStore(store) }
        let (totals, columns, indexes, ledger) = try store.queue.read { db in
            (try String.fetchAll(db, sql: "SELECT volunteer_id || ':' || total_minutes || ':' || star_level FROM volunteer_totals ORDER BY volunteer_id"),
             try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info('volunteers') WHERE name IN ('total_minutes', 'star_level')"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ('volunteer_approved_by_date', 'volunteer_ledger_by_volunteer')"),
             try Int.fetchOne(db, sql: "SELECT SUM(minutes) FROM volunteer_ledger WHERE volunteer_id = 'V-1'"))
        }
        #expect(totals == ["V-1:6000:1", "V-2:0:0"])
        #expect(columns.isEmpty)
        #expect(indexes.isEmpty)
        #expect(ledger == 6000)
    }

    @Test("numbering records keeps every record and history entry, numbers records in their stored order, and keeps every index and unique key")
    func recordNumbersKeepRecordsAndHistory() throws {
        let store = try upgradedStore(VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "upgrade-test-secret-0123456789")),
                                      from: "volunteer-hours-v5-narrow-totals", rows: """
            INSERT INTO volunteer_records (record_id, volunteer_id, organization_id, activity_id, activity_name, place, service_content, submitted_by,
                started_at, ended_at, started_us, ended_us, service_date, claimed_minutes, approved_minutes, late, state)
            VALUES ('R-9', 'V-1', 'ORG-1', 'ACT-1', '社区清洁', '玉林社区', '清扫', 'U-1', '2026-05-10T09:00:00+08:00', '2026-05-10T12:30:00+08:00',
                    1778374800000000, 1778387400000000, '2026-05-10', 210, 200, 0, 'APPROVED'),
                   ('R-1', 'V-2', 'ORG-1', 'ACT-1', '社区清洁', '玉林社区', '清扫', 'U-1', '2026-05-11T09:00:00+08:00', '2026-05-11T10:00:00+08:00',
                    1778461200000000, 1778464800000000, '2026-05-11', 60, NULL, 0, 'PENDING');
            INSERT INTO volunteer_record_history (record_id, seq, state, event_id, event_type, at) VALUES
                ('R-9', 0, 'PENDING', 'e1', 'volunteer.hours.submitted.v1', '2026-05-10T18:00:00+08:00'),
                ('R-1', 0, 'PENDING', 'e2', 'volunteer.hours.submitted.v1', '2026-05-11T18:00:00+08:00'),
                ('R-9', 1, 'APPROVED', 'e3', 'volunteer.hours.approved.v1', '2026-05-11T20:00:00+08:00');
            """)
        defer { removeUpgradedStore(store) }
        let (records, history, byNumber, indexes) = try store.queue.read { db in
            (try String.fetchAll(db, sql: "SELECT record_no || ':' || record_id || ':' || state || ':' || IFNULL(approved_minutes, '-') FROM volunteer_records ORDER BY record_no"),
             try String.fetchAll(db, sql: "SELECT record_id || '/' || seq || ':' || state || ':' || event_id FROM volunteer_record_history_by_id ORDER BY record_id, seq"),
             try String.fetchAll(db, sql: "SELECT record_no || '/' || seq FROM volunteer_record_history ORDER BY rowid"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'volunteer_records' AND sql IS NOT NULL"))
        }
        #expect(records == ["1:R-9:APPROVED:200", "2:R-1:PENDING:-"])
        #expect(history == ["R-1/0:PENDING:e2", "R-9/0:PENDING:e1", "R-9/1:APPROVED:e3"])
        #expect(byNumber == ["1/0", "2/0", "1/1"])  // in the order they were written
        #expect(indexes == ["volunteer_periods"])
        #expect(throws: DatabaseError.self) {
            try store.queue.write { try $0.execute(sql: "INSERT INTO volunteer_record_history VALUES (1, 1, 'VOIDED', 'e4', 't', 'at')") }
        }
        // Each record is found by its id through the record id index, which v7 fills from the records.
        #expect(try store.queue.read { try recordNumbers(of: ["R-9", "R-1", "R-2"], in: $0) } == [[1], [2], []])
    }

    @Test("filing identity hashes in a leveled set keeps every volunteer, drops the unique index, and finds each volunteer's identity")
    func identitiesFiledInALeveledSet() throws {
        let first = [UInt8](repeating: 0xA1, count: 16) + [UInt8](repeating: 0x01, count: 16)
        let second = [UInt8](repeating: 0x5B, count: 32)
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        let store = try upgradedStore(VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "upgrade-test-secret-0123456789")),
                                      from: "volunteer-hours-v7-leveled-record-ids", rows: """
            INSERT INTO volunteers (volunteer_id, name, identity_hash, birth_date, district, guardian_consent, registered_at)
            VALUES ('V-1', '张三', x'\(hex(first))', '1990-01-01', '锦江区', 0, '2026-01-02T09:00:00+08:00'),
                   ('V-2', '李四', x'\(hex(second))', '1991-02-03', '青羊区', 0, '2026-01-02T09:00:00+08:00');
            """)
        defer { removeUpgradedStore(store) }
        let (volunteers, indexes, filed) = try store.queue.read { db in
            (try String.fetchAll(db, sql: "SELECT volunteer_id || ':' || hex(identity_hash) FROM volunteers ORDER BY volunteer_id"),
             try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'volunteers'"),
             try [first, second, [UInt8](repeating: 0x5B, count: 15) + [UInt8](repeating: 0x5C, count: 17)].map { digest in
                 let entry = LeveledIdIndex.entry(ofDigest: digest)
                 return try Bool.fetchOne(db, sql: LeveledIdIndex.containsEntry("volunteer_identity_keys", keyParameter: 1, rowParameter: 2),
                                          arguments: [entry.key, entry.row]) ?? false
             })
        }
        #expect(volunteers == ["V-1:" + hex(first).uppercased(), "V-2:" + hex(second).uppercased()])
        #expect(indexes.isEmpty, "no unique index of identity hashes is left: \(indexes)")
        #expect(filed == [true, true, false])
    }

    /// The numbers of the records each id finds through `volunteer_record_keys`, as the store looks them up.
    private func recordNumbers(of ids: [String], in db: Database) throws -> [[Int64]] {
        try ids.map { id in
            try Int64.fetchAll(db, sql: """
                SELECT record_no FROM volunteer_records
                WHERE record_no IN (\(LeveledIdIndex.rowNumbers("volunteer_record_keys", keyParameter: 1))) AND record_id = ?2
                """, arguments: [LeveledIdIndex.key(of: id), id])
        }
    }
}
