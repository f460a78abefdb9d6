import Testing
import VolunteerHours
import WorkerRuntime

/// Events that read what earlier events of the same batch wrote decide exactly as when each is a batch of its
/// own: the PostgreSQL engine answers those reads from what it read ahead and what the batch changed.
@Suite("events in one batch")
struct SameBatchTests {
    /// One volunteer's day in one batch: every rule that reads an earlier event's write is crossed.
    static func day(_ harness: VolunteerHarness) -> [(key: String, value: [UInt8])] {
        func registration(_ volunteer: String, sequence: Int) -> (key: String, value: [UInt8]) {
            harness.message("volunteer.registered.v1", [
                "volunteer_id": .string(volunteer), "name": .string("张三明"), "id_number": .string(identityNumber(birth: "19900101", sequence: sequence)),
                "phone": .string("13800138000"), "district": .string("锦江区"), "birth_date": .string("1990-01-01"),
            ])
        }
        func submission(_ record: String, start: String, end: String) -> (key: String, value: [UInt8]) {
            harness.message("volunteer.hours.submitted.v1", harness.submission(record, volunteer: "V-1", start: start, end: end))
        }
        func review(_ type: String, _ record: String) -> (key: String, value: [UInt8]) {
            harness.message(type, ["record_id": .string(record), "volunteer_id": .string("V-1"), "approver_id": .string("S"), "reason": .string("x")])
        }
        func correction(_ id: String, minutes: Int64) -> (key: String, value: [UInt8]) {
            harness.message("volunteer.hours.corrected.v1", [
                "correction_id": .string(id), "record_id": .string("R-1"), "volunteer_id": .string("V-1"),
                "approved_minutes": .integer(minutes), "reason": .string("登记有误"), "corrected_by": .string("S"),
            ])
        }
        func certificate(_ id: String) -> (key: String, value: [UInt8]) {
            harness.message("volunteer.certificate.requested.v1", ["certificate_id": .string(id), "volunteer_id": .string("V-1"),
                                                                   "from": .string("2026-05-01"), "to": .string("2026-05-31"), "requested_by": .string("V-1")])
        }
        return [
            registration("V-1", sequence: 1),
            registration("V-2", sequence: 1),                                                   // DUPLICATE_IDENTITY
            submission("R-1", start: "2026-05-18T09:00:00+08:00", end: "2026-05-18T11:00:00+08:00"),
            submission("R-2", start: "2026-05-18T10:00:00+08:00", end: "2026-05-18T12:00:00+08:00"),  // OVERLAP with R-1
            submission("R-3", start: "2026-05-18T13:00:00+08:00", end: "2026-05-18T14:00:00+08:00"),
            review("volunteer.hours.approved.v1", "R-1"),
            review("volunteer.hours.declined.v1", "R-3"),
            submission("R-4", start: "2026-05-18T13:30:00+08:00", end: "2026-05-18T14:30:00+08:00"),  // R-3 declined: no overlap
            certificate("C-1"),                                                                 // counts R-1's 120 minutes
            correction("K-1", minutes: 90),
            correction("K-1", minutes: 60),                                                     // DUPLICATE_CORRECTION
            review("volunteer.hours.approved.v1", "R-4"),
            certificate("C-2"),                                                                 // 90 + 60 minutes, two records
            certificate("C-1"),                                                                 // DUPLICATE_CERTIFICATE
            submission("R-1", start: "2026-05-19T09:00:00+08:00", end: "2026-05-19T10:00:00+08:00"),  // DUPLICATE_RECORD
            correction("K-2", minutes: 30),
        ]
    }

    @Test("a batch whose events read each other's writes has the outcomes, totals, history and certificates of one event per batch",
          arguments: StoreEngine.allCases)
    func batchEqualsOneByOne(engine: StoreEngine) throws {
        let together = try VolunteerHarness(engine: engine)
        let alone = try VolunteerHarness(engine: engine)
        let batch = try together.batch(Self.day(together))
        let steps = try Self.day(alone).map { try alone.batch([$0])[0] }
        #expect(batch.map(\.reason) == [nil, "DUPLICATE_IDENTITY", nil, "OVERLAP", nil, nil, nil, nil, nil, nil, "DUPLICATE_CORRECTION", nil, nil,
                                        "DUPLICATE_CERTIFICATE", "DUPLICATE_RECORD", nil])
        #expect(batch.map(\.reason) == steps.map(\.reason))
        #expect(batch.map(\.templates) == steps.map(\.templates))
        #expect(batch.map { $0.params("volunteer.certificate.issued") } == steps.map { $0.params("volunteer.certificate.issued") })
        #expect(batch[8].params("volunteer.certificate.issued")?["total_minutes"] == .integer(120))
        #expect(batch[12].params("volunteer.certificate.issued")?["total_minutes"] == .integer(150))
        #expect(batch[12].params("volunteer.certificate.issued")?["record_count"] == .integer(2))
        for query in [
            "SELECT volunteer_id, total_minutes, star_level FROM volunteer_totals ORDER BY volunteer_id",
            "SELECT record_id, state, approved_minutes FROM volunteer_records ORDER BY record_id",
            "SELECT record_id, seq, state, event_type FROM volunteer_record_history_by_id ORDER BY record_id, seq",
            "SELECT record_id, kind, minutes FROM volunteer_ledger ORDER BY entry_id",
            "SELECT correction_id, previous_minutes, minutes FROM volunteer_corrections ORDER BY correction_id",
            "SELECT certificate_id, total_minutes, record_count, organizations FROM volunteer_certificates ORDER BY certificate_id",
        ] {
            #expect(try together.store.rows(query) == alone.store.rows(query), "\(query)")
        }
        #expect(try together.store.rows("SELECT seq FROM volunteer_record_history_by_id WHERE record_id = 'R-1' ORDER BY seq")
                == [["0"], ["1"], ["2"], ["3"]])
        #expect(try together.total("V-1").minutes == 30 + 60)
    }
}
