import NewEmploymentBenefits
import WorkerRuntime

/// A realistic, seeded stream for `welfare.new-employment-benefits`: registrations, then a working day
/// after another in which most workers report their activity, and those with enough active days apply
/// for benefits they qualify for, redeem the vouchers they were granted and now and then cancel; plus a
/// few applications that the rules deny, and the faults upstream systems make (re-sends, reused ids,
/// malformed messages).
///
/// The generator keeps a small model of what it emitted (active days, applications and their vouchers,
/// quota seats) so that follow-ups mostly succeed, as they would on a normal day.
public struct NewEmploymentBenefitsStream {
    public var workers: Int
    public var seed: UInt64
    /// The voucher secret of the worker being fed: a service site reads real codes off workers' phones.
    public var voucherSecret: String
    public var faultEvery: Int
    /// The number of the first worker (`W-n`, identity `SampleIdentity.person(500,000 + n)`): streams that
    /// start apart do not meet (a benchmark run on a seeded store).
    public var firstWorker: Int
    /// The first day of business time (Asia/Shanghai); a day passes every `workers` messages.
    public var startDate: LocalDate

    public init(workers: Int = 100, seed: UInt64 = 11, voucherSecret: String, faultEvery: Int = 50, firstWorker: Int = 0,
                startDate: LocalDate = LocalDate(year: 2026, month: 5, day: 1) ?? LocalDate(daysSinceEpoch: 20_574)) {
        self.workers = max(1, workers)
        self.firstWorker = firstWorker
        self.startDate = startDate
        self.seed = seed
        self.voucherSecret = voucherSecret
        self.faultEvery = faultEvery
    }

    static let occupations = ["delivery_rider", "courier", "ride_hailing_driver", "truck_driver", "online_host"]
    /// Active reports come from the first three; the fourth carries only the idle reports, so an idle
    /// report never replaces an active one of the same day and platform.
    static let platforms = ["美团", "饿了么", "顺丰", "滴滴"]

    /// What the generator knows of one application it sent.
    private struct Application {
        let id: String
        let worker: Int
        let benefit: BenefitCatalogue.Benefit
        var state: ApplicationStateMachine.State
        var validUntil: LocalDate?
    }

    public func messages(count: Int) -> [SampleMessage] {
        var random = SeededRandom(seed: seed)
        var output: [SampleMessage] = []
        var sequence = 0
        let catalogue = BenefitCatalogue.contract
        let settings = BenefitSettings(voucherSecret: voucherSecret)
        var applications: [Application] = []
        var activeDays = Array(repeating: Set<Int>(), count: workers)
        var used: [String: Int] = [:]
        var seats: [String: Int] = [:]
        // Business time starts on `startDate` (2026-05-01 unless told); a day passes every `workers` messages,
        // so each worker shows up about once a day.
        let start = startDate
        func day(_ position: Int) -> Int { position / workers }
        func time(_ position: Int) -> (date: LocalDate, text: String) {
            let date = start.adding(days: day(position))
            let hour = 7 + (position % workers) * 14 / workers
            return (date, "\(date)T\(hour < 10 ? "0" : "")\(hour):00:00+08:00")
        }
        func emit(_ type: String, _ worker: String, _ data: JSONObject, at position: Int, id: String? = nil) {
            sequence += 1
            let event: JSONObject = [
                "specversion": .string("1.0"), "id": .string(id ?? "ne-\(seed)-\(sequence)"), "source": .string("/platforms/open-api"),
                "type": .string(type), "time": .string(time(position).text), "subject": .string(worker), "data": .object(data),
            ]
            output.append(SampleMessage(key: worker, value: JSONWriter.encode(.object(event))))
        }
        func occupation(_ index: Int) -> String { Self.occupations[index % Self.occupations.count] }
        /// Active days in the application's window, as the worker counts them.
        func activeCount(_ index: Int, on today: Int) -> Int {
            activeDays[index].count { $0 >= today - settings.activityWindowDays && $0 <= today - 1 }
        }
        func voucher(_ application: Application) -> String {
            ReadableCode.make(secret: voucherSecret, parts: ["voucher", application.id, "W-\(firstWorker + application.worker)", application.benefit.code])
        }

        for index in 0..<workers {
            let worker = "W-\(firstWorker + index)"
            emit("newemployment.worker.registered.v1", worker, [
                "worker_id": .string(worker), "name": .string("骑手\(index)"), "id_number": .string(SampleIdentity.person(500_000 + firstWorker + index).number),
                "phone": .string("13912345678"), "occupation": .string(occupation(index)),
                "platforms": .array([.string(Self.platforms[index % 3]), .string(Self.platforms[(index + 1) % 3])]), "district": .string("武侯区"),
            ], at: 0)
        }
        while output.count < count {
            let position = output.count
            let index = Int(random.next() % UInt64(workers))
            let worker = "W-\(firstWorker + index)"
            let now = time(position)
            let today = day(position)
            if faultEvery > 0 && position % faultEvery == faultEvery - 1, let last = output.last {
                switch random.next() % 3 {
                case 0: output.append(last)
                case 1: output.append(SampleMessage(key: last.key, value: Array("not json at all".utf8)))
                default:
                    emit("newemployment.activity.reported.v1", last.key, [
                        "worker_id": .string(last.key), "platform": .string(Self.platforms[3]), "day": .string(now.date.adding(days: -1).description),
                        "orders": .integer(1), "online_minutes": .integer(1),
                    ], at: position, id: "ne-\(seed)-\(sequence)")
                }
                continue
            }
            let roll = random.next() % 100
            // Workers new to the platforms mostly work; now and then they apply for what needs no history.
            let experienced = activeCount(index, on: today) >= 10
            if experienced ? roll < 55 : roll < 75 {
                // Mostly active days; one in eight is idle.
                let active = random.next() % 8 != 0
                let reported = today - Int(random.next() % 2)
                if active { activeDays[index].insert(reported) }
                emit("newemployment.activity.reported.v1", worker, [
                    "worker_id": .string(worker), "platform": .string(Self.platforms[active ? Int(random.next() % 3) : 3]),
                    "day": .string(start.adding(days: reported).description),
                    "orders": .integer(active ? Int64(5 + random.next() % 40) : 0),
                    "online_minutes": .integer(active ? Int64(240 + random.next() % 400) : Int64(random.next() % 200)),
                ], at: position)
            } else if roll < 80 {
                // An application for a benefit the worker qualifies for; one in six tries another, most often the
                // scarce hardship grant (the rules may deny it).
                let days = activeCount(index, on: today)
                let qualifies = catalogue.benefits.filter { benefit in
                    Eligibility.decide(occupation: occupation(index), benefit: benefit, activeDays: days,
                                       usedThisYear: used["\(index)|\(benefit.code)", default: 0], seatsTaken: 0) == .granted
                }
                let denied = random.next() % 6 == 0 || qualifies.isEmpty
                let scarce = catalogue.benefits.first { $0.code == "HARDSHIP_GRANT" }
                let benefit = denied ? (random.next() % 2 == 0 ? scarce : nil) ?? catalogue.benefits[Int(random.next() % UInt64(catalogue.benefits.count))]
                    : qualifies[Int(random.next() % UInt64(qualifies.count))]
                let id = "APP-\(seed)-\(position)"
                emit("newemployment.benefit.applied.v1", worker, [
                    "application_id": .string(id), "worker_id": .string(worker), "benefit_code": .string(benefit.code),
                ], at: position)
                let decision = Eligibility.decide(occupation: occupation(index), benefit: benefit, activeDays: days,
                                                  usedThisYear: used["\(index)|\(benefit.code)", default: 0], seatsTaken: seats[benefit.code, default: 0])
                switch decision {
                case .granted:
                    used["\(index)|\(benefit.code)", default: 0] += 1
                    if benefit.yearlyQuota != nil { seats[benefit.code, default: 0] += 1 }
                    applications.append(Application(id: id, worker: index, benefit: benefit, state: .granted,
                                                    validUntil: now.date.adding(days: benefit.voucherValidDays)))
                case .waitlisted:
                    applications.append(Application(id: id, worker: index, benefit: benefit, state: .waitlisted, validUntil: nil))
                case .denied:
                    applications.append(Application(id: id, worker: index, benefit: benefit, state: .denied, validUntil: nil))
                }
            } else if roll < 95 {
                // A voucher used at a service site before it expires (once in a while one shown a second time:
                // ALREADY_REDEEMED).
                let again = random.next() % 30 == 0
                let open = applications.indices.filter {
                    applications[$0].state == (again ? .redeemed : .granted) && (applications[$0].validUntil ?? now.date) >= now.date
                }
                guard let pick = open.isEmpty ? nil : open[Int(random.next() % UInt64(open.count))] else { continue }
                applications[pick].state = .redeemed
                let application = applications[pick]
                emit("newemployment.voucher.redeemed.v1", "W-\(firstWorker + application.worker)", [
                    "redemption_id": .string("RED-\(seed)-\(position)"), "worker_id": .string("W-\(firstWorker + application.worker)"),
                    "voucher_code": .string(voucher(application)), "site_id": .string("SITE-\(position % 17)"),
                ], at: position)
            } else {
                // A cancellation, mostly of an application that can be cancelled (now and then of one the rules
                // denied: ILLEGAL_TRANSITION); a cancelled grant of a benefit with a quota passes its seat to the
                // earliest waiting.
                let any = random.next() % 4 == 0
                let candidates = applications.indices.filter { any ? applications[$0].state != .cancelled : ApplicationStateMachine.allows(.cancel, from: applications[$0].state) }
                // Scarce benefits are given back (and their seats passed on) more often than others.
                let scarce = candidates.filter { applications[$0].benefit.yearlyQuota.map { $0 < 1_000 } ?? false }
                let open = !scarce.isEmpty && random.next() % 2 == 0 ? scarce : candidates
                guard let pick = open.isEmpty ? nil : open[Int(random.next() % UInt64(open.count))] else { continue }
                let application = applications[pick]
                applications[pick].state = .cancelled
                emit("newemployment.benefit.cancelled.v1", "W-\(firstWorker + application.worker)", [
                    "application_id": .string(application.id), "worker_id": .string("W-\(firstWorker + application.worker)"), "reason": .string("行程冲突"),
                ], at: position)
                if application.state == .granted { used["\(application.worker)|\(application.benefit.code)", default: 1] -= 1 }
                if application.state == .granted, application.benefit.yearlyQuota != nil {
                    if let next = applications.indices.first(where: { applications[$0].benefit.code == application.benefit.code && applications[$0].state == .waitlisted }) {
                        applications[next].state = .granted
                        used["\(applications[next].worker)|\(application.benefit.code)", default: 0] += 1
                        applications[next].validUntil = now.date.adding(days: application.benefit.voucherValidDays)
                    } else {
                        seats[application.benefit.code, default: 1] -= 1
                    }
                }
            }
        }
        return output
    }
}
