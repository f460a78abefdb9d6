import Foundation
import NewEmploymentBenefits
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("new-employment benefits")
struct BenefitRuleTests {
    @Test("registration notifies newemployment.worker.welcome; ALREADY_REGISTERED, DUPLICATE_IDENTITY; an unknown occupation is INVALID_DATA", arguments: StoreEngine.allCases)
    func registration(engine: StoreEngine) throws {
        let h = try BenefitHarness(engine: engine)
        let step = try h.register("W-1", identitySequence: 7)
        #expect(step.templates == ["newemployment.worker.welcome"])
        #expect(step.params("newemployment.worker.welcome") == ["worker_id": .string("W-1"), "occupation": .string("delivery_rider")])
        #expect(step.recipient("newemployment.worker.welcome") == ["kind": .string("worker"), "id": .string("W-1")])
        #expect(try h.register("W-1").reason == "ALREADY_REGISTERED")
        #expect(try h.register("W-2", identitySequence: 7).reason == "DUPLICATE_IDENTITY")
        let bad = try h.register("W-3", occupation: "astronaut")
        #expect(bad.reason == "INVALID_DATA" && bad.detail?.hasPrefix("data.occupation") == true)
    }

    @Test("activity: UNKNOWN_WORKER, FUTURE_DAY; applied reports emit nothing", arguments: StoreEngine.allCases)
    func activity(engine: StoreEngine) throws {
        let h = try BenefitHarness(engine: engine)
        #expect(try h.report("W-none", day: "2026-06-29").reason == "UNKNOWN_WORKER")
        try h.register("W-1")
        #expect(try h.report("W-1", day: "2026-07-01").reason == "FUTURE_DAY")
        let today = try h.report("W-1", day: "2026-06-30")
        #expect(today.outcome == "applied" && today.notifications.isEmpty)
    }

    @Test("active days count D−30 … D−1, sum platforms, and follow restatements", arguments: StoreEngine.allCases)
    func activeDayWindow(engine: StoreEngine) throws {
        let h = try BenefitHarness(engine: engine)
        try h.register("W-1", occupation: "courier")
        try h.report("W-1", day: "2026-05-31")                          // D−30: counts
        try h.report("W-1", day: "2026-05-30")                          // D−31: outside
        try h.report("W-1", day: "2026-06-30")                          // D: outside
        try h.report("W-1", day: "2026-06-29", platform: "美团", orders: 1, minutes: 120)
        try h.report("W-1", day: "2026-06-29", platform: "饿了么", orders: 0, minutes: 120)   // summed: active
        try h.report("W-1", day: "2026-06-28", orders: 0, minutes: 600)                     // no order: inactive
        try h.report("W-1", day: "2026-06-27")
        try h.report("W-1", day: "2026-06-27", orders: 0, minutes: 0)                       // restated: inactive
        let step = try h.apply("A-1", worker: "W-1", benefit: "HEALTH_CHECK")
        #expect(step.params("newemployment.benefit.denied")?["active_days"] == .integer(2))
        #expect(step.params("newemployment.benefit.denied")?["required_active_days"] == .integer(10))
        #expect(step.params("newemployment.benefit.denied")?["reason_code"] == .string("INSUFFICIENT_ACTIVITY"))
    }

    @Test("denials in order: occupation, then activity, then the yearly limit; all applied with newemployment.benefit.denied", arguments: StoreEngine.allCases)
    func denialOrder(engine: StoreEngine) throws {
        let h = try BenefitHarness(engine: engine)
        try h.register("W-taxi", occupation: "ride_hailing_driver")
        let occupation = try h.apply("A-1", worker: "W-taxi", benefit: "CHARGING_CARD")  // also no activity
        #expect(occupation.outcome == "applied" && occupation.templates == ["newemployment.benefit.denied"])
        #expect(occupation.params("newemployment.benefit.denied") == [
            "application_id": .string("A-1"), "benefit_code": .string("CHARGING_CARD"), "reason_code": .string("OCCUPATION_NOT_ELIGIBLE"),
            "active_days": .integer(0), "required_active_days": .integer(10),
        ])
        try h.register("W-1")
        try h.activeDays("W-1", count: 10, before: applicationDay)
        #expect(try h.apply("A-2", worker: "W-1", benefit: "HEALTH_CHECK").templates == ["newemployment.benefit.granted"])
        try h.register("W-2")
        try h.activeDays("W-2", count: 3, before: applicationDay)
        #expect(try h.apply("A-3", worker: "W-2", benefit: "HARDSHIP_GRANT").params("newemployment.benefit.denied")?["reason_code"] == .string("INSUFFICIENT_ACTIVITY"))
        #expect(try h.apply("A-4", worker: "W-1", benefit: "HEALTH_CHECK").params("newemployment.benefit.denied")?["reason_code"] == .string("YEARLY_LIMIT_REACHED"))
    }

    @Test("application rejections: UNKNOWN_WORKER, UNKNOWN_BENEFIT, DUPLICATE_APPLICATION", arguments: StoreEngine.allCases)
    func applicationRejections(engine: StoreEngine) throws {
        let h = try BenefitHarness(engine: engine)
        #expect(try h.apply("A-1", worker: "W-none", benefit: "LEGAL_AID").reason == "UNKNOWN_WORKER")
        try h.register("W-1")
        #expect(try h.apply("A-1", worker: "W-1", benefit: "FREE_CAR").reason == "UNKNOWN_BENEFIT")
        #expect(try h.apply("A-2", worker: "W-1", benefit: "LEGAL_AID").outcome == "applied")
        let again = try h.apply("A-2", worker: "W-1", benefit: "LEGAL_AID")
        #expect(again.reason == "DUPLICATE_APPLICATION" && again.templates == ["welfare.event.rejected"])
    }

    @Test("the yearly limit counts granted and redeemed but not cancelled applications, and a new year resets it", arguments: StoreEngine.allCases)
    func yearlyLimit(engine: StoreEngine) throws {
        let h = try BenefitHarness(engine: engine)
        try h.register("W-1")
        let first = try h.apply("A-1", worker: "W-1", benefit: "REST_STATION_CARD")
        let code = try #require(first.params("newemployment.benefit.granted")?["voucher_code"]?.stringValue)
        #expect(try h.apply("A-2", worker: "W-1", benefit: "REST_STATION_CARD").params("newemployment.benefit.denied")?["reason_code"] == .string("YEARLY_LIMIT_REACHED"))
        try h.cancel("A-1", worker: "W-1")
        let third = try h.apply("A-3", worker: "W-1", benefit: "REST_STATION_CARD", time: "2026-07-02T10:00:00+08:00")
        let thirdCode = try #require(third.params("newemployment.benefit.granted")?["voucher_code"]?.stringValue)
        #expect(try h.redeem("RD-1", worker: "W-1", code: thirdCode, time: "2026-07-03T10:00:00+08:00").outcome == "applied")
        #expect(try h.apply("A-4", worker: "W-1", benefit: "REST_STATION_CARD", time: "2026-12-31T23:00:00+08:00").params("newemployment.benefit.denied")?["reason_code"] == .string("YEARLY_LIMIT_REACHED"))
        #expect(try h.apply("A-5", worker: "W-1", benefit: "REST_STATION_CARD", time: "2027-01-01T00:30:00+08:00").templates == ["newemployment.benefit.granted"])
        #expect(code != thirdCode)
    }

    @Test("quota: the last seat, waiting-list positions, promotion on cancellation with validity from the cancellation date", arguments: StoreEngine.allCases)
    func quotaAndWaitlist(engine: StoreEngine) throws {
        let catalogue = BenefitCatalogue(version: "test-1", benefits: [
            .init(code: "TINY", yearlyLimit: 1, yearlyQuota: 2, minActiveDays: 0, occupations: nil, voucherValidDays: 30),
        ])
        let h = try BenefitHarness(engine: engine, catalogue: catalogue)
        for worker in ["W-1", "W-2", "W-3", "W-4", "W-5"] { try h.register(worker) }
        #expect(try h.apply("A-1", worker: "W-1", benefit: "TINY").templates == ["newemployment.benefit.granted"])
        #expect(try h.apply("A-2", worker: "W-2", benefit: "TINY").templates == ["newemployment.benefit.granted"])  // the last seat
        let third = try h.apply("A-3", worker: "W-3", benefit: "TINY")
        #expect(third.params("newemployment.benefit.waitlisted") == ["application_id": .string("A-3"), "benefit_code": .string("TINY"), "position": .integer(1)])
        #expect(try h.apply("A-4", worker: "W-4", benefit: "TINY").params("newemployment.benefit.waitlisted")?["position"] == .integer(2))
        // Cancelling a waitlisted application moves the others up.
        let leaving = try h.cancel("A-3", worker: "W-3")
        #expect(leaving.templates == ["newemployment.benefit.cancelled"])
        #expect(try h.apply("A-5", worker: "W-5", benefit: "TINY").params("newemployment.benefit.waitlisted")?["position"] == .integer(2))
        #expect(try h.seats("TINY") == 2)
        // Cancelling a granted one promotes the earliest waiting, with validity from the cancellation date.
        let cancel = try h.cancel("A-1", worker: "W-1", time: "2026-07-10T10:00:00+08:00")
        #expect(cancel.templates == ["newemployment.benefit.cancelled", "newemployment.benefit.granted"])
        #expect(cancel.params("newemployment.benefit.cancelled") == ["application_id": .string("A-1"), "benefit_code": .string("TINY")])
        #expect(cancel.recipient("newemployment.benefit.granted") == ["kind": .string("worker"), "id": .string("W-4")])
        let promoted = try #require(cancel.params("newemployment.benefit.granted"))
        #expect(promoted["promoted"] == .bool(true))
        #expect(promoted["valid_until"] == .string("2026-08-09"))
        #expect(promoted["application_id"] == .string("A-4"))
        #expect(try h.state("A-4") == "GRANTED" && h.state("A-1") == "CANCELLED" && h.state("A-5") == "WAITLISTED")
        #expect(try h.seats("TINY") == 2, "the seat moved; the count never exceeds the quota")
        #expect(try h.cancel("A-1", worker: "W-1").reason == "ILLEGAL_TRANSITION")
        #expect(try h.cancel("A-9", worker: "W-1").reason == "UNKNOWN_APPLICATION")
        #expect(try h.cancel("A-5", worker: "W-1").reason == "UNKNOWN_APPLICATION", "another worker's application")
    }

    @Test("redemption: applied once; duplicate redemption id; cancelled, already redeemed, expired and another worker's codes", arguments: StoreEngine.allCases)
    func redemption(engine: StoreEngine) throws {
        let h = try BenefitHarness(engine: engine)
        try h.register("W-1")
        try h.register("W-2")
        let granted = try h.apply("A-1", worker: "W-1", benefit: "LEGAL_AID")
        let code = try #require(granted.params("newemployment.benefit.granted")?["voucher_code"]?.stringValue)
        #expect(granted.params("newemployment.benefit.granted")?["valid_until"] == .string("2026-09-28"))
        #expect(code.count == 12 && code.allSatisfy { "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains($0) })
        #expect(code == h.domain.voucherCode(applicationID: "A-1", workerID: "W-1", benefitCode: "LEGAL_AID"), "stable on replay")
        #expect(try h.redeem("RD-0", worker: "W-2", code: code).reason == "UNKNOWN_VOUCHER")
        #expect(try h.redeem("RD-0", worker: "W-1", code: "ABCDEFGHJKMN").reason == "UNKNOWN_VOUCHER")
        let redeemed = try h.redeem("RD-1", worker: "W-1", code: code, site: "SITE-WH-3")
        #expect(redeemed.templates == ["newemployment.voucher.redeemed"])
        #expect(redeemed.params("newemployment.voucher.redeemed") == ["voucher_code": .string(code), "benefit_code": .string("LEGAL_AID"), "site_id": .string("SITE-WH-3")])
        let repeated = try h.redeem("RD-1", worker: "W-1", code: code, site: "SITE-WH-3")
        #expect(repeated.outcome == "duplicate" && repeated.notifications.isEmpty, "a repeated redemption id: no change, no notice")
        #expect(try h.redeem("RD-2", worker: "W-1", code: code).reason == "ALREADY_REDEEMED")

        let second = try h.apply("A-2", worker: "W-1", benefit: "LEGAL_AID")
        let secondCode = try #require(second.params("newemployment.benefit.granted")?["voucher_code"]?.stringValue)
        #expect(try h.redeem("RD-3", worker: "W-1", code: secondCode, time: "2026-09-29T09:00:00+08:00").reason == "VOUCHER_EXPIRED")
        #expect(try h.redeem("RD-4", worker: "W-1", code: secondCode, time: "2026-09-28T21:00:00+08:00").outcome == "applied", "valid on valid_until")
        let third = try h.apply("A-3", worker: "W-1", benefit: "LEGAL_AID")
        let thirdCode = try #require(third.params("newemployment.benefit.granted")?["voucher_code"]?.stringValue)
        try h.cancel("A-3", worker: "W-1")
        #expect(try h.redeem("RD-5", worker: "W-1", code: thirdCode).reason == "VOUCHER_CANCELLED")
    }

    @Test("the catalogue in configs/ is the contract's table, and a bad entry is refused by name", arguments: StoreEngine.allCases)
    func catalogueFile(engine: StoreEngine) throws {
        let path = TestPaths.repositoryRoot.appendingPathComponent("configs/new-employment-benefits.catalogue.yaml").path
        let catalogue = try BenefitCatalogue.load(path: path)
        #expect(catalogue.benefits == BenefitCatalogue.contract.benefits)
        #expect(!catalogue.version.isEmpty)
        let bad = BenefitCatalogue(version: "x", benefits: [.init(code: "A", yearlyLimit: 0, yearlyQuota: nil, minActiveDays: 0, occupations: nil, voucherValidDays: 1)])
        #expect { try bad.validate(origin: "test") } throws: { String(describing: $0).contains("benefits.A.yearly_limit") }
    }
}
