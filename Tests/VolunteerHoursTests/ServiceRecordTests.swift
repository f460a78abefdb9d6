import Testing
import VolunteerHours
import WorkerRuntime

@Suite("service records")
struct ServiceRecordTests {
    func registered(engine: StoreEngine, _ volunteers: String...) throws -> VolunteerHarness {
        let harness = try VolunteerHarness(engine: engine, settings: {
            var settings = VolunteerSettings(certificateSecret: VolunteerHarness.secret)
            settings.starThresholdsHours = [1, 2, 3, 10, 20]
            return settings
        }())
        for volunteer in volunteers { try harness.register(volunteer) }
        return harness
    }

    @Test("a submission is PENDING and notifies volunteer.hours.pending with the claimed minutes", arguments: StoreEngine.allCases)
    func pending(engine: StoreEngine) throws {
        let harness = try registered(engine: engine, "V-1")
        let step = try harness.submit("R-1", volunteer: "V-1", start: "2026-05-18T09:00:00+08:00", end: "2026-05-18T12:30:45+08:00")
        #expect(step.outcome == "applied")
        #expect(step.templates == ["volunteer.hours.pending"])
        #expect(step.params("volunteer.hours.pending") == [
            "record_id": .string("R-1"), "activity_name": .string("社区敬老"), "claimed_minutes": .integer(210), "late": .bool(false),
        ])
        #expect(try harness.recordState("R-1") == "PENDING")
    }

    @Test("each submission rejection notifies the source, then volunteer.record.rejected to the organisation",
          arguments: StoreEngine.allCases, [
            ("R-x", "V-none", "2026-05-18T09:00:00+08:00", "2026-05-18T10:00:00+08:00", "UNKNOWN_VOLUNTEER"),
            ("R-1", "V-1", "2026-05-18T13:00:00+08:00", "2026-05-18T14:00:00+08:00", "DUPLICATE_RECORD"),
            ("R-2", "V-1", "2026-05-18T10:00:00+08:00", "2026-05-18T10:00:00+08:00", "INVALID_PERIOD"),
            ("R-3", "V-1", "2026-05-16T09:00:00+08:00", "2026-05-17T09:00:01+08:00", "INVALID_PERIOD"),
            ("R-4", "V-1", "2026-05-20T09:00:00+08:00", "2026-05-20T10:00:01+08:00", "FUTURE_SERVICE"),
            ("R-5", "V-1", "2026-05-18T11:59:00+08:00", "2026-05-18T13:00:00+08:00", "OVERLAP"),
          ])
    func rejections(engine: StoreEngine, _ example: (String, String, String, String, String)) throws {
        let (record, volunteer, start, end, reason) = example
        let harness = try registered(engine: engine, "V-1")
        try harness.submit("R-1", volunteer: "V-1", start: "2026-05-18T09:00:00+08:00", end: "2026-05-18T12:00:00+08:00")
        let step = try harness.submit(record, volunteer: volunteer, start: start, end: end, organization: "ORG-7",
                                      time: "2026-05-20T10:00:00+08:00")
        #expect(step.outcome == "rejected" && step.reason == reason)
        #expect(step.templates == ["welfare.event.rejected", "volunteer.record.rejected"])
        #expect(step.recipient("volunteer.record.rejected") == ["kind": .string("organization"), "id": .string("ORG-7")])
        #expect(step.params("volunteer.record.rejected") == ["record_id": .string(record), "volunteer_id": .string(volunteer), "reason_code": .string(reason)])
        #expect(step.params("welfare.event.rejected")?["reason_code"] == .string(reason))
    }

    @Test("a volunteer's registration, once found by a committed batch, is remembered for later ones", arguments: StoreEngine.allCases)
    func registrationRemembered(engine: StoreEngine) throws {
        let harness = try registered(engine: engine, "V-1")
        #expect(harness.harness.processor.memo.committedCount == 0)
        try harness.submit("R-1", volunteer: "V-1", start: "2026-05-18T09:00:00+08:00", end: "2026-05-18T10:00:00+08:00")
        #expect(harness.harness.processor.memo.committedCount == 1)
        #expect(try harness.submit("R-2", volunteer: "V-1", start: "2026-05-18T11:00:00+08:00", end: "2026-05-18T12:00:00+08:00").outcome == "applied")
        #expect(try harness.submit("R-3", volunteer: "V-none", start: "2026-05-18T11:00:00+08:00", end: "2026-05-18T12:00:00+08:00").reason == "UNKNOWN_VOLUNTEER")
        #expect(harness.harness.processor.memo.committedCount == 1, "an absent volunteer is not remembered")
    }

    @Test("a record id already taken is DUPLICATE_RECORD before any period rule, and after its record was declined",
          arguments: StoreEngine.allCases, [
            ("2026-05-18T09:00:00+08:00", "2026-05-18T12:00:00+08:00"),  // would also overlap
            ("2026-05-18T10:00:00+08:00", "2026-05-18T10:00:00+08:00"),  // would also be INVALID_PERIOD
            ("2026-05-20T09:00:00+08:00", "2026-05-20T10:00:01+08:00"),  // would also be FUTURE_SERVICE
          ])
    func duplicateRecordFirst(engine: StoreEngine, _ example: (String, String)) throws {
        let (start, end) = example
        let harness = try registered(engine: engine, "V-1")
        try harness.submit("R-1", volunteer: "V-1", start: "2026-05-18T09:00:00+08:00", end: "2026-05-18T12:00:00+08:00")
        let step = try harness.submit("R-1", volunteer: "V-1", start: start, end: end, time: "2026-05-20T10:00:00+08:00")
        #expect(step.outcome == "rejected" && step.reason == "DUPLICATE_RECORD")
        try harness.send("volunteer.hours.declined.v1", ["record_id": .string("R-1"), "volunteer_id": .string("V-1"), "approver_id": .string("S"), "reason": .string("重复登记")])
        #expect(try harness.submit("R-1", volunteer: "V-1", start: "2026-05-19T09:00:00+08:00", end: "2026-05-19T10:00:00+08:00").reason == "DUPLICATE_RECORD")
        #expect(try harness.recordState("R-1") == "DECLINED")
    }

    @Test("overlap: touching periods are fine; declined and voided records free their period; two records in one batch", arguments: StoreEngine.allCases)
    func overlapCases(engine: StoreEngine) throws {
        let harness = try registered(engine: engine, "V-1")
        try harness.submit("R-1", volunteer: "V-1", start: "2026-05-18T09:00:00+08:00", end: "2026-05-18T12:00:00+08:00")
        #expect(try harness.submit("R-2", volunteer: "V-1", start: "2026-05-18T12:00:00+08:00", end: "2026-05-18T13:00:00+08:00").outcome == "applied")
        #expect(try harness.submit("R-0", volunteer: "V-1", start: "2026-05-18T08:00:00+08:00", end: "2026-05-18T09:00:00+08:00").outcome == "applied")
        // A long earlier period reaching into the new one overlaps.
        #expect(try harness.submit("R-L", volunteer: "V-1", start: "2026-05-17T13:00:00+08:00", end: "2026-05-18T08:30:00+08:00").reason == "OVERLAP")

        try harness.send("volunteer.hours.declined.v1", ["record_id": .string("R-1"), "volunteer_id": .string("V-1"), "approver_id": .string("S"), "reason": .string("重复登记")])
        #expect(try harness.submit("R-3", volunteer: "V-1", start: "2026-05-18T10:00:00+08:00", end: "2026-05-18T11:00:00+08:00").outcome == "applied")

        try harness.approve("R-3", volunteer: "V-1")
        #expect(try harness.submit("R-4", volunteer: "V-1", start: "2026-05-18T10:30:00+08:00", end: "2026-05-18T10:45:00+08:00").reason == "OVERLAP")
        try harness.correct("C-1", record: "R-3", volunteer: "V-1", minutes: 0)
        #expect(try harness.recordState("R-3") == "VOIDED")
        #expect(try harness.submit("R-5", volunteer: "V-1", start: "2026-05-18T10:30:00+08:00", end: "2026-05-18T10:45:00+08:00").outcome == "applied")

        let both = try harness.batch([
            harness.message("volunteer.hours.submitted.v1", harness.submission("R-6", volunteer: "V-1", start: "2026-05-19T09:00:00+08:00", end: "2026-05-19T11:00:00+08:00")),
            harness.message("volunteer.hours.submitted.v1", harness.submission("R-7", volunteer: "V-1", start: "2026-05-19T10:00:00+08:00", end: "2026-05-19T12:00:00+08:00")),
        ])
        #expect(both.map(\.outcome) == ["applied", "rejected"])
        #expect(both[1].reason == "OVERLAP")
    }

    @Test("late: more than 10 working days (Monday–Friday) after the service date of ended_at",
          arguments: StoreEngine.allCases, [("2026-05-22T18:00:00+08:00", false), ("2026-05-23T18:00:00+08:00", false), ("2026-05-25T09:00:00+08:00", true)])
    func lateFlag(engine: StoreEngine, _ example: (String, Bool)) throws {
        let (eventTime, late) = example
        let harness = try registered(engine: engine, "V-1")
        // Service ended on Friday 8 May (Shanghai); 22 May is the 10th working day after it.
        let step = try harness.submit("R-1", volunteer: "V-1", start: "2026-05-08T09:00:00+08:00", end: "2026-05-08T11:00:00+08:00", time: eventTime)
        #expect(step.params("volunteer.hours.pending")?["late"] == .bool(late))
        #expect(LateRecord.workingDays(after: LocalDate(year: 2026, month: 5, day: 8)!, through: LocalDate(year: 2026, month: 5, day: 25)!) == 11)
    }

    @Test("approval credits the ledger; several star thresholds crossed at once give one volunteer.star.reached", arguments: StoreEngine.allCases)
    func approvalAndStars(engine: StoreEngine) throws {
        let harness = try registered(engine: engine, "V-1")
        try harness.submit("R-1", volunteer: "V-1", start: "2026-05-18T08:00:00+08:00", end: "2026-05-18T11:20:00+08:00")
        let step = try harness.approve("R-1", volunteer: "V-1")
        #expect(step.templates == ["volunteer.hours.credited", "volunteer.star.reached"])
        #expect(step.params("volunteer.hours.credited") == ["record_id": .string("R-1"), "minutes": .integer(200), "total_minutes": .integer(200)])
        #expect(step.params("volunteer.star.reached") == ["level": .integer(3), "total_hours": .double(200.0 / 60)])
        #expect(try harness.total("V-1") == (200, 3))
        #expect(try harness.recordState("R-1") == "APPROVED")
        try harness.submit("R-2", volunteer: "V-1", start: "2026-05-19T08:00:00+08:00", end: "2026-05-19T08:30:00+08:00")
        let small = try harness.approve("R-2", volunteer: "V-1", minutes: 20)
        #expect(small.templates == ["volunteer.hours.credited"], "no star notice when the level stays")
        #expect(try harness.total("V-1") == (220, 3))
    }

    @Test("approval and decline rejections: UNKNOWN_RECORD, ILLEGAL_TRANSITION, SELF_APPROVAL, MINUTES_OUT_OF_RANGE", arguments: StoreEngine.allCases)
    func reviewRejections(engine: StoreEngine) throws {
        let harness = try registered(engine: engine, "V-1", "V-2")
        try harness.submit("R-1", volunteer: "V-1", start: "2026-05-18T09:00:00+08:00", end: "2026-05-18T10:00:00+08:00")
        #expect(try harness.approve("R-1", volunteer: "V-2").reason == "UNKNOWN_RECORD")
        #expect(try harness.approve("R-9", volunteer: "V-1").reason == "UNKNOWN_RECORD")
        #expect(try harness.approve("R-1", volunteer: "V-1", approver: "V-1").reason == "SELF_APPROVAL")
        #expect(try harness.approve("R-1", volunteer: "V-1", minutes: 0).reason == "MINUTES_OUT_OF_RANGE")
        #expect(try harness.approve("R-1", volunteer: "V-1", minutes: 61).reason == "MINUTES_OUT_OF_RANGE")
        #expect(try harness.approve("R-1", volunteer: "V-1", minutes: 60).outcome == "applied")
        #expect(try harness.approve("R-1", volunteer: "V-1").reason == "ILLEGAL_TRANSITION")
        let decline: JSONObject = ["record_id": .string("R-1"), "volunteer_id": .string("V-1"), "approver_id": .string("S"), "reason": .string("x")]
        #expect(try harness.send("volunteer.hours.declined.v1", decline).reason == "ILLEGAL_TRANSITION")
        try harness.submit("R-2", volunteer: "V-1", start: "2026-05-18T11:00:00+08:00", end: "2026-05-18T12:00:00+08:00")
        #expect(try harness.send("volunteer.hours.declined.v1", ["record_id": .string("R-2"), "volunteer_id": .string("V-1"), "approver_id": .string("V-1"), "reason": .string("x")]).reason == "SELF_APPROVAL")
        let declined = try harness.send("volunteer.hours.declined.v1", ["record_id": .string("R-2"), "volunteer_id": .string("V-1"), "approver_id": .string("S"), "reason": .string("时长不符")])
        #expect(declined.templates == ["volunteer.hours.declined"])
        #expect(declined.params("volunteer.hours.declined") == ["record_id": .string("R-2"), "reason": .string("时长不符")])
    }

    @Test("corrections: a correcting ledger entry, star lowered or raised, unchanged minutes still applied, and their rejections", arguments: StoreEngine.allCases)
    func corrections(engine: StoreEngine) throws {
        let harness = try registered(engine: engine, "V-1")
        try harness.submit("R-1", volunteer: "V-1", start: "2026-05-18T08:00:00+08:00", end: "2026-05-18T11:20:00+08:00")
        #expect(try harness.correct("C-0", record: "R-1", volunteer: "V-1", minutes: 10).reason == "ILLEGAL_TRANSITION")
        try harness.approve("R-1", volunteer: "V-1")  // 200 minutes, level 3
        let lowered = try harness.correct("C-1", record: "R-1", volunteer: "V-1", minutes: 90)
        #expect(lowered.templates == ["volunteer.hours.corrected", "volunteer.star.lowered"])
        #expect(lowered.params("volunteer.hours.corrected") == [
            "record_id": .string("R-1"), "previous_minutes": .integer(200), "minutes": .integer(90), "total_minutes": .integer(90),
        ])
        #expect(lowered.params("volunteer.star.lowered") == ["level": .integer(1), "total_hours": .double(1.5)])
        let raised = try harness.correct("C-2", record: "R-1", volunteer: "V-1", minutes: 130)
        #expect(raised.templates == ["volunteer.hours.corrected", "volunteer.star.reached"])
        let same = try harness.correct("C-3", record: "R-1", volunteer: "V-1", minutes: 130)
        #expect(same.outcome == "applied" && same.templates == ["volunteer.hours.corrected"])
        #expect(try harness.correct("C-3", record: "R-1", volunteer: "V-1", minutes: 100).reason == "DUPLICATE_CORRECTION")
        #expect(try harness.correct("C-4", record: "R-1", volunteer: "V-1", minutes: 201).reason == "MINUTES_OUT_OF_RANGE")
        #expect(try harness.correct("C-5", record: "R-1", volunteer: "V-1", minutes: -1).reason == "MINUTES_OUT_OF_RANGE")
        #expect(try harness.correct("C-6", record: "R-9", volunteer: "V-1", minutes: 1).reason == "UNKNOWN_RECORD")
        #expect(try harness.total("V-1") == (130, 2))
        let ledger = try harness.store.strings("SELECT minutes FROM volunteer_ledger ORDER BY entry_id")
        #expect(ledger == ["200", "-110", "40", "0"], "append-only entries whose sum is the total")
    }

    @Test("a certificate counts APPROVED records by service date, excluding pending and declined, with a stable unguessable verify code", arguments: StoreEngine.allCases)
    func certificates(engine: StoreEngine) throws {
        let harness = try registered(engine: engine, "V-1")
        try harness.submit("R-1", volunteer: "V-1", start: "2026-05-10T09:00:00+08:00", end: "2026-05-10T10:00:00+08:00", organization: "ORG-B")
        try harness.submit("R-2", volunteer: "V-1", start: "2026-05-11T09:00:00+08:00", end: "2026-05-11T11:00:00+08:00", organization: "ORG-A")
        try harness.submit("R-3", volunteer: "V-1", start: "2026-05-12T09:00:00+08:00", end: "2026-05-12T12:00:00+08:00")  // stays pending
        try harness.submit("R-4", volunteer: "V-1", start: "2026-05-13T09:00:00+08:00", end: "2026-05-13T12:00:00+08:00")
        try harness.submit("R-5", volunteer: "V-1", start: "2026-05-31T23:30:00+08:00", end: "2026-06-01T00:30:00+08:00",
                           time: "2026-06-02T09:00:00+08:00")  // service date 31 May
        try harness.submit("R-6", volunteer: "V-1", start: "2026-06-01T00:30:00+08:00", end: "2026-06-01T01:00:00+08:00",
                           time: "2026-06-02T09:00:00+08:00")  // service date 1 June in Shanghai, still 31 May in UTC
        try harness.approve("R-1", volunteer: "V-1")
        try harness.approve("R-2", volunteer: "V-1")
        try harness.approve("R-5", volunteer: "V-1")
        try harness.approve("R-6", volunteer: "V-1")
        try harness.send("volunteer.hours.declined.v1", ["record_id": .string("R-4"), "volunteer_id": .string("V-1"), "approver_id": .string("S"), "reason": .string("x")])
        func request(_ id: String, from: String, to: String, volunteer: String = "V-1") throws -> VolunteerHarness.Step {
            try harness.send("volunteer.certificate.requested.v1", ["certificate_id": .string(id), "volunteer_id": .string(volunteer),
                                                                    "from": .string(from), "to": .string(to), "requested_by": .string(volunteer)])
        }
        let step = try request("CERT-1", from: "2026-05-01", to: "2026-05-31")
        let params = try #require(step.params("volunteer.certificate.issued"))
        #expect(params["total_minutes"] == .integer(240) && params["record_count"] == .integer(3))
        let code = try #require(params["verify_code"]?.stringValue)
        #expect(code.count == 12 && code.allSatisfy { "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains($0) })
        #expect(code == ReadableCode.make(secret: VolunteerHarness.secret, parts: ["CERT-1", "V-1", "2026-05-01", "2026-05-31"]))
        #expect(code != ReadableCode.make(secret: "another-secret-of-enough-length", parts: ["CERT-1", "V-1", "2026-05-01", "2026-05-31"]))
        let organizations = try harness.store.strings("SELECT organizations FROM volunteer_certificates").first
        #expect(organizations == #"["ORG-1","ORG-A","ORG-B"]"#)
        let june = try #require(try request("CERT-5", from: "2026-06-01", to: "2026-06-01").params("volunteer.certificate.issued"))
        #expect(june["total_minutes"] == .integer(30) && june["record_count"] == .integer(1))
        let empty = try request("CERT-2", from: "2026-01-01", to: "2026-01-31")
        #expect(empty.params("volunteer.certificate.issued")?["total_minutes"] == .integer(0))
        #expect(empty.params("volunteer.certificate.issued")?["record_count"] == .integer(0))
        #expect(try request("CERT-1", from: "2026-05-01", to: "2026-05-31").reason == "DUPLICATE_CERTIFICATE")
        #expect(try request("CERT-3", from: "2026-05-31", to: "2026-05-01").reason == "INVALID_PERIOD")
        #expect(try request("CERT-4", from: "2026-05-01", to: "2026-05-31", volunteer: "V-none").reason == "UNKNOWN_VOLUNTEER")
    }
}
