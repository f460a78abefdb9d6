import Testing
import VolunteerHours
import WorkerRuntime

@Suite("volunteer registration")
struct RegistrationTests {
    @Test("a registration is applied with total 0 and level 0 and notifies volunteer.welcome", arguments: StoreEngine.allCases)
    func welcome(engine: StoreEngine) throws {
        let harness = try VolunteerHarness(engine: engine)
        let step = try harness.register("V-1")
        #expect(step.outcome == "applied")
        #expect(step.templates == ["volunteer.welcome"])
        #expect(step.params("volunteer.welcome") == ["volunteer_id": .string("V-1")])
        #expect(step.recipient("volunteer.welcome") == ["kind": .string("volunteer"), "id": .string("V-1")])
        #expect(try harness.total("V-1") == (0, 0))
    }

    @Test("ALREADY_REGISTERED and DUPLICATE_IDENTITY, each with welfare.event.rejected to the source", arguments: StoreEngine.allCases)
    func duplicates(engine: StoreEngine) throws {
        let harness = try VolunteerHarness(engine: engine)
        try harness.register("V-1", identitySequence: 555)
        let again = try harness.register("V-1")
        #expect(again.outcome == "rejected" && again.reason == "ALREADY_REGISTERED")
        #expect(again.templates == ["welfare.event.rejected"])
        #expect(again.recipient("welfare.event.rejected") == ["kind": .string("source"), "id": .string("/test/upstream")])
        let sameIdentity = try harness.register("V-2", identitySequence: 555)
        #expect(sameIdentity.reason == "DUPLICATE_IDENTITY")
        // ALREADY_REGISTERED comes first when both apply.
        #expect(try harness.register("V-1", identitySequence: 555).reason == "ALREADY_REGISTERED")
    }

    @Test("ages on the event's date: under 14 is UNDERAGE; 14–17 need guardian consent; a 29 February birthday counts on 28 February", arguments: StoreEngine.allCases)
    func ages(engine: StoreEngine) throws {
        let harness = try VolunteerHarness(engine: engine)
        #expect(try harness.register("V-young", birth: "20120521").reason == "UNDERAGE")  // 13 on 2026-05-20
        #expect(try harness.register("V-14", birth: "20120520").reason == "GUARDIAN_CONSENT_REQUIRED")  // 14 today
        #expect(try harness.register("V-14c", birth: "20120520", consent: true).outcome == "applied")
        #expect(try harness.register("V-17", birth: "20080521", consent: false).reason == "GUARDIAN_CONSENT_REQUIRED")
        #expect(try harness.register("V-18", birth: "20080520").outcome == "applied")
        #expect(try harness.register("V-leap", birth: "20080229", time: "2026-02-27T12:00:00+08:00").reason == "GUARDIAN_CONSENT_REQUIRED")
        #expect(try harness.register("V-leap2", birth: "20080229", time: "2026-02-28T12:00:00+08:00").outcome == "applied")
    }

    @Test("birth date differing from the identity number, a bad check character or phone is INVALID_DATA naming the field", arguments: StoreEngine.allCases)
    func invalidData(engine: StoreEngine) throws {
        let harness = try VolunteerHarness(engine: engine)
        var data: JSONObject = [
            "volunteer_id": .string("V-9"), "name": .string("李四"), "id_number": .string(identityNumber(birth: "19900101", sequence: 1)),
            "phone": .string("13800138000"), "district": .string("武侯区"), "birth_date": .string("1990-01-02"),
        ]
        let mismatch = try harness.send("volunteer.registered.v1", data)
        #expect(mismatch.outcome == "dead_lettered" && mismatch.reason == "INVALID_DATA")
        #expect(mismatch.detail?.hasPrefix("data.birth_date") == true)
        data.members = data.members.map { $0.key == "birth_date" ? ($0.key, .string("1990-01-01")) : $0 }
        var badCheck = data
        let number = identityNumber(birth: "19900101", sequence: 1)
        let wrongLast: Character = number.last == "1" ? "2" : "1"
        badCheck.members = badCheck.members.map { $0.key == "id_number" ? ($0.key, .string(String(number.dropLast()) + String(wrongLast))) : $0 }
        #expect(try harness.send("volunteer.registered.v1", badCheck).detail?.hasPrefix("data.id_number") == true)
        var badPhone = data
        badPhone.members = badPhone.members.map { $0.key == "phone" ? ($0.key, .string("2380013800")) : $0 }
        #expect(try harness.send("volunteer.registered.v1", badPhone).detail?.hasPrefix("data.phone") == true)
        #expect(try harness.send("volunteer.registered.v1", data).outcome == "applied")
    }

    @Test("no notification or store row carries the identity or phone number", arguments: StoreEngine.allCases)
    func noPersonalDataInNotifications(engine: StoreEngine) throws {
        let harness = try VolunteerHarness(engine: engine)
        let number = identityNumber(birth: "19900101", sequence: 7)
        let step = try harness.send("volunteer.registered.v1", [
            "volunteer_id": .string("V-p"), "name": .string("王五"), "id_number": .string(number), "phone": .string("13912345678"),
            "district": .string("青羊区"), "birth_date": .string("1990-01-01"),
        ])
        let rendered = step.notifications.map { String(decoding: JSONWriter.encode(.object($0)), as: UTF8.self) }.joined()
        #expect(!rendered.contains(number) && !rendered.contains("13912345678"))
        let stored = try harness.store.dump("SELECT name, birth_date, district, identity_hash FROM volunteers")
        #expect(!stored.joined().contains(number) && !stored.joined().contains("13912345678"))
    }
}
