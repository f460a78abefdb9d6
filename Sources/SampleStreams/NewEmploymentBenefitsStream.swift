import WorkerRuntime

/// A realistic, seeded stream for `welfare.new-employment-benefits`: registrations, daily activity from
/// several platforms (some restated), applications across the catalogue (some beyond quota), redemptions
/// at service sites, cancellations, plus re-sends, reused ids and malformed messages.
public struct NewEmploymentBenefitsStream {
    public var workers: Int
    public var seed: UInt64
    /// The voucher secret of the worker being fed: a service site reads real codes off workers' phones.
    public var voucherSecret: String
    public var faultEvery: Int

    public init(workers: Int = 100, seed: UInt64 = 11, voucherSecret: String, faultEvery: Int = 50) {
        self.workers = workers
        self.seed = seed
        self.voucherSecret = voucherSecret
        self.faultEvery = faultEvery
    }

    static let occupations = ["delivery_rider", "courier", "ride_hailing_driver", "truck_driver", "online_host"]
    static let platforms = ["美团", "饿了么", "顺丰", "滴滴"]
    static let benefits = ["HEALTH_CHECK", "MEAL_DISCOUNT", "CHILD_HOLIDAY_CARE", "SKILLS_TRAINING", "CHARGING_CARD", "LEGAL_AID",
                           "REST_STATION_CARD", "HARDSHIP_GRANT"]

    public func messages(count: Int) -> [SampleMessage] {
        var random = SeededRandom(seed: seed)
        var output: [SampleMessage] = []
        var sequence = 0
        var applications: [(id: String, worker: String, benefit: String)] = []
        // Business time starts on 2026-05-01 (Asia/Shanghai) and moves on an hour per 20 messages.
        let start = LocalDate(year: 2026, month: 5, day: 1)!
        func time(_ position: Int) -> (date: LocalDate, text: String) {
            let hours = position / 20
            let date = start.adding(days: hours / 24)
            let hour = hours % 24
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
        for index in 0..<workers {
            let worker = "W-\(index)"
            let body = "51010719880808" + String(format3: index % 1000)
            emit("newemployment.worker.registered.v1", worker, [
                "worker_id": .string(worker), "name": .string("骑手\(index)"),
                "id_number": .string(body + String(FieldFormats.residentIdentityCheckCharacter(body) ?? "X")), "phone": .string("13912345678"),
                "occupation": .string(Self.occupations[index % Self.occupations.count]),
                "platforms": .array([.string(Self.platforms[index % 4]), .string(Self.platforms[(index + 1) % 4])]), "district": .string("武侯区"),
            ], at: 0)
        }
        while output.count < count {
            let position = output.count
            let index = Int(random.next() % UInt64(workers))
            let worker = "W-\(index)"
            let now = time(position)
            if faultEvery > 0 && position % faultEvery == faultEvery - 1, let last = output.last {
                switch random.next() % 3 {
                case 0: output.append(last)
                case 1: output.append(SampleMessage(key: last.key, value: Array("not json at all".utf8)))
                default:
                    emit("newemployment.activity.reported.v1", last.key, [
                        "worker_id": .string(last.key), "platform": .string("美团"), "day": .string(now.date.adding(days: -1).description),
                        "orders": .integer(1), "online_minutes": .integer(1),
                    ], at: position, id: "ne-\(seed)-\(sequence)")
                }
                continue
            }
            let roll = random.next() % 100
            if roll < 60 {
                let active = random.next() % 4 != 0
                emit("newemployment.activity.reported.v1", worker, [
                    "worker_id": .string(worker), "platform": .string(Self.platforms[Int(random.next() % 4)]),
                    "day": .string(now.date.adding(days: -Int(random.next() % 3)).description),
                    "orders": .integer(active ? Int64(5 + random.next() % 40) : 0), "online_minutes": .integer(Int64(active ? 240 + random.next() % 400 : random.next() % 200)),
                ], at: position)
            } else if roll < 82 {
                let benefit = Self.benefits[Int(random.next() % UInt64(Self.benefits.count))]
                let id = "APP-\(seed)-\(position)"
                emit("newemployment.benefit.applied.v1", worker, [
                    "application_id": .string(id), "worker_id": .string(worker), "benefit_code": .string(benefit),
                ], at: position)
                applications.append((id, worker, benefit))
            } else if roll < 94, !applications.isEmpty {
                let pick = applications[Int(random.next() % UInt64(applications.count))]
                let code = ReadableCode.make(secret: voucherSecret, parts: ["voucher", pick.id, pick.worker, pick.benefit])
                emit("newemployment.voucher.redeemed.v1", pick.worker, [
                    "redemption_id": .string("RED-\(seed)-\(position)"), "worker_id": .string(pick.worker), "voucher_code": .string(code),
                    "site_id": .string("SITE-\(position % 17)"),
                ], at: position)
            } else if !applications.isEmpty {
                // Scarce benefits get cancelled (and their seats passed on) more often than others.
                let scarce = applications.filter { $0.benefit == "HARDSHIP_GRANT" }
                let pool = !scarce.isEmpty && random.next() % 2 == 0 ? scarce : applications
                let pick = pool[Int(random.next() % UInt64(pool.count))]
                emit("newemployment.benefit.cancelled.v1", pick.worker, [
                    "application_id": .string(pick.id), "worker_id": .string(pick.worker), "reason": .string("行程冲突"),
                ], at: position)
            }
        }
        return output
    }
}
