import ArgumentParser
import Foundation
import SampleStreams
import WelfareDomains
import WorkerRuntime

/// The new-employment benefits worker end to end: registrations, activity reports, then applications
/// and redemptions of the vouchers granted.
struct NewEmploymentBenefitsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new-employment-benefits",
        abstract: "Measure new-employment-benefits-worker: activity reports for W workers, then applications and redemptions.")

    @Option(help: "Activity reports.") var reports = 1_000_000
    @Option(help: "Applications plus redemptions (half each).") var applications = 100_000
    @Option(help: "Workers (registered first, counted in the total).") var workers = 20_000
    @Option(help: "Partitions of the input topic (the embedded broker keeps about 5 MB per partition).") var partitions = 96
    @Option(help: "Run on this existing store (one `welfare-bench seed` made) instead of an empty one; it keeps the run's rows.") var store: String?

    func run() throws {
        let secret = SeedCommand.voucherSecret
        var messages: [(key: [UInt8], value: [UInt8])] = []
        messages.reserveCapacity(workers + reports + applications)
        var sequence = 0
        func event(_ type: String, _ worker: String, _ data: JSONObject, time: String) {
            sequence += 1
            let envelope: JSONObject = [
                "specversion": .string("1.0"), "id": .string("bench-\(sequence)"), "source": .string("/bench/platform"),
                "type": .string(type), "time": .string(time), "subject": .string(worker), "data": .object(data),
            ]
            messages.append((Array(worker.utf8), JSONWriter.encode(.object(envelope))))
        }
        for index in 0..<workers {
            event("newemployment.worker.registered.v1", "W-\(index)", [
                "worker_id": .string("W-\(index)"), "name": .string("骑手\(index)"),
                "id_number": .string(SampleIdentity.person(index).number),
                "phone": .string("13912345678"), "occupation": .string(index % 2 == 0 ? "delivery_rider" : "courier"),
                "platforms": .array([.string("美团")]), "district": .string("武侯区"),
            ], time: "2026-01-01T08:00:00+08:00")
        }
        let start = LocalDate(year: 2026, month: 1, day: 2)!
        let days = max(1, reports / workers)
        for index in 0..<reports {
            let worker = "W-\(index % workers)"
            let day = start.adding(days: index / workers % days)
            event("newemployment.activity.reported.v1", worker, [
                "worker_id": .string(worker), "platform": .string("美团"), "day": .string(day.description),
                "orders": .integer(Int64(10 + index % 30)), "online_minutes": .integer(Int64(300 + index % 200)),
            ], time: "\(day)T23:00:00+08:00")
        }
        let applyDay = start.adding(days: days)
        for index in 0..<(applications / 2) {
            let worker = "W-\(index % workers)"
            let application = "APP-\(index)"
            event("newemployment.benefit.applied.v1", worker, [
                "application_id": .string(application), "worker_id": .string(worker), "benefit_code": .string("MEAL_DISCOUNT"),
            ], time: "\(applyDay)T09:00:00+08:00")
            event("newemployment.voucher.redeemed.v1", worker, [
                "redemption_id": .string("RED-\(index)"), "worker_id": .string(worker),
                "voucher_code": .string(ReadableCode.make(secret: secret, parts: ["voucher", application, worker, "MEAL_DISCOUNT"])),
                "site_id": .string("SITE-\(index % 40)"),
            ], time: "\(applyDay)T12:00:00+08:00")
        }
        try WorkerBenchmarkRun(domain: WelfareDomains.newEmploymentBenefits, partitions: partitions,
                               environment: ["WELFARE_DOMAIN_VOUCHER_SECRET": secret], existingStore: store).run(messages: messages)
    }
}
