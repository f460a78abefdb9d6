import Foundation
import NewEmploymentBenefits
import WelfareTestSupport
import WorkerRuntime

/// Benefits events through the real processor into a real store (see `DomainHarness`).
final class BenefitHarness {
    let harness: DomainHarness<NewEmploymentBenefitsDomain>
    let domain: NewEmploymentBenefitsDomain
    typealias Step = DomainHarness<NewEmploymentBenefitsDomain>.Step
    static let secret = "test-voucher-secret-0123456789"
    private var identity = 100

    init(engine: StoreEngine = .sqlite, catalogue: BenefitCatalogue = .contract) throws {
        domain = NewEmploymentBenefitsDomain(settings: BenefitSettings(catalogue: catalogue, voucherSecret: Self.secret))
        harness = try DomainHarness(domain: domain, topic: "welfare.new-employment-benefits", engine: engine)
    }

    @discardableResult
    func send(_ type: String, _ data: JSONObject, time: String = "2026-06-30T10:00:00+08:00", id: String? = nil) throws -> Step {
        try harness.batch([harness.message(type, data, entity: "worker_id", id: id, time: time)])[0]
    }

    @discardableResult
    func register(_ worker: String, occupation: String = "delivery_rider", identitySequence: Int? = nil) throws -> Step {
        identity += 1
        let body = "51010719880808" + String(format: "%03d", (identitySequence ?? identity) % 1000)
        return try send("newemployment.worker.registered.v1", [
            "worker_id": .string(worker), "name": .string("骑手小刘"), "id_number": .string(body + String(FieldFormats.residentIdentityCheckCharacter(body)!)),
            "phone": .string("13912345678"), "occupation": .string(occupation), "platforms": .array([.string("美团"), .string("饿了么")]),
            "district": .string("武侯区"),
        ])
    }

    @discardableResult
    func report(_ worker: String, day: String, platform: String = "美团", orders: Int64 = 10, minutes: Int64 = 300,
                time: String = "2026-06-30T10:00:00+08:00") throws -> Step {
        try send("newemployment.activity.reported.v1", [
            "worker_id": .string(worker), "platform": .string(platform), "day": .string(day), "orders": .integer(orders), "online_minutes": .integer(minutes),
        ], time: time)
    }

    /// Reports `count` active days ending the day before `before`.
    func activeDays(_ worker: String, count: Int, before: LocalDate) throws {
        for offset in 1...max(1, count) where count > 0 {
            try report(worker, day: before.adding(days: -offset).description)
        }
    }

    @discardableResult
    func apply(_ application: String, worker: String, benefit: String, time: String = "2026-06-30T10:00:00+08:00") throws -> Step {
        try send("newemployment.benefit.applied.v1", ["application_id": .string(application), "worker_id": .string(worker), "benefit_code": .string(benefit)], time: time)
    }

    @discardableResult
    func redeem(_ redemption: String, worker: String, code: String, site: String = "SITE-1", time: String = "2026-07-01T10:00:00+08:00") throws -> Step {
        try send("newemployment.voucher.redeemed.v1", ["redemption_id": .string(redemption), "worker_id": .string(worker),
                                                        "voucher_code": .string(code), "site_id": .string(site)], time: time)
    }

    @discardableResult
    func cancel(_ application: String, worker: String, time: String = "2026-07-01T10:00:00+08:00") throws -> Step {
        try send("newemployment.benefit.cancelled.v1", ["application_id": .string(application), "worker_id": .string(worker), "reason": .string("不再需要")], time: time)
    }

    func state(_ application: String) throws -> String? {
        try harness.store.rows("SELECT state FROM ne_applications WHERE application_id = ?", [application]).first?.first ?? nil
    }

    func seats(_ benefit: String, year: Int = 2026) throws -> Int {
        Int(try harness.store.integer("SELECT taken FROM ne_quota_seats WHERE benefit_code = ? AND year = CAST(? AS INTEGER)", [benefit, String(year)]) ?? 0)
    }
}

let applicationDay = LocalDate(year: 2026, month: 6, day: 30)!
