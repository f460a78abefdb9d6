import WorkerRuntime

/// A realistic, seeded stream for `welfare.volunteer-hours`: registrations (some under age or repeated),
/// service records with reviews, corrections and certificates, plus the faults upstream systems make:
/// overlapping or future periods, byte-identical re-sends, reused event ids and malformed messages.
public struct VolunteerHoursStream {
    public var volunteers: Int
    public var seed: UInt64
    /// One of this many messages is a fault (duplicate, conflict, malformed). 0 turns faults off.
    public var faultEvery: Int

    public init(volunteers: Int = 200, seed: UInt64 = 42, faultEvery: Int = 40) {
        self.volunteers = volunteers
        self.seed = seed
        self.faultEvery = faultEvery
    }

    static let activities = [("ACT-ELDER", "社区敬老"), ("ACT-LIB", "图书馆导读"), ("ACT-RIVER", "锦江河道清洁"), ("ACT-MARATHON", "成都马拉松服务"),
                             ("ACT-TRAFFIC", "文明交通劝导")]
    static let districts = ["锦江区", "青羊区", "金牛区", "武侯区", "成华区", "高新区"]
    static let surnames = Array("王李张刘陈杨赵黄周吴")
    static let given = Array("明华芳军丽强静伟敏磊")

    /// Generates about `count` messages, in an order an upstream system could send them.
    public func messages(count: Int) -> [SampleMessage] {
        var random = SeededRandom(seed: seed)
        var output: [SampleMessage] = []
        var sequence = 0
        var pending: [(record: String, volunteer: String, minutes: Int)] = []
        var approved: [(record: String, volunteer: String, minutes: Int)] = []
        var nextRecord = 0
        var slot: [Int] = Array(repeating: 0, count: volunteers)
        // Which registrations the rules accept (the generator's model): the too young, and those near the
        // guardian-consent age, are refused, and their volunteers send nothing more.
        var registered: [Bool] = Array(repeating: true, count: volunteers)
        // 2026-03-02 00:00 Asia/Shanghai, in seconds since the epoch; business time advances with the stream.
        let base: Int64 = 1_772_380_800
        func clock(_ position: Int) -> Int64 { base + Int64(position) * 600 }

        func emit(_ type: String, _ volunteer: String, _ data: JSONObject, time: Int64, id: String? = nil) {
            sequence += 1
            let event: JSONObject = [
                "specversion": .string("1.0"), "id": .string(id ?? "vh-\(seed)-\(sequence)"), "source": .string("/tianfu-citizen-cloud/volunteer-app"),
                "type": .string(type), "time": .string(Self.timestamp(time)), "subject": .string(volunteer),
                "datacontenttype": .string("application/json"), "data": .object(data),
            ]
            output.append(SampleMessage(key: volunteer, value: JSONWriter.encode(.object(event))))
        }

        // Registrations first.
        for index in 0..<volunteers {
            let volunteer = "V-\(String(index, radix: 36, uppercase: true))"
            let year = 1960 + Int(random.next() % 50) + (index % 37 == 0 ? 50 : 0)  // a few are too young
            registered[index] = year < 2007
            let month = 1 + Int(random.next() % 12)
            let day = 1 + Int(random.next() % 28)
            let birth = String(format4: year) + String(format2: month) + String(format2: day)
            let name = String(Self.surnames[Int(random.next() % 10)]) + String(Self.given[Int(random.next() % 10)]) + String(Self.given[Int(random.next() % 10)])
            emit("volunteer.registered.v1", volunteer, [
                "volunteer_id": .string(volunteer), "name": .string(name),
                "id_number": .string(Self.identityNumber(birth: birth, sequence: index % 997 + (index / 997) % 2)),
                "phone": .string("138" + String(format8: 10_000_000 + index)),
                "birth_date": .string("\(String(format4: year))-\(String(format2: month))-\(String(format2: day))"),
                "district": .string(Self.districts[index % Self.districts.count]), "guardian_consent": .bool(random.next() % 2 == 0),
            ], time: clock(0))
        }

        while output.count < count {
            let position = output.count
            let roll = random.next() % 100
            let volunteerIndex = Int(random.next() % UInt64(volunteers))
            let volunteer = "V-\(String(volunteerIndex, radix: 36, uppercase: true))"
            if faultEvery > 0 && position % faultEvery == faultEvery - 1, let last = output.last {
                switch random.next() % 3 {
                case 0: output.append(last)  // byte-identical re-send: a duplicate
                case 1: output.append(SampleMessage(key: last.key, value: Array("{\"specversion\":\"1.0\",\"id\":".utf8)))  // malformed
                default:
                    // The previous event's id reused for different content, on the same key (ids reused across
                    // keys land on other partitions, where no order between the two is defined): EVENT_ID_CONFLICT.
                    emit("volunteer.certificate.requested.v1", last.key, [
                        "certificate_id": .string("CERT-X-\(position)"), "volunteer_id": .string(last.key),
                        "from": .string("2026-01-01"), "to": .string("2026-12-31"), "requested_by": .string(last.key),
                    ], time: clock(position), id: "vh-\(seed)-\(sequence)")
                }
                continue
            }
            if !registered[volunteerIndex] && (roll < 45 || roll >= 94) { continue }
            if roll < 45 {
                // A service record: mostly in a free slot of the volunteer's day, sometimes overlapping or in the future.
                slot[volunteerIndex] += 1
                let dayStart = base + Int64(slot[volunteerIndex]) * 86_400 - 30 * 86_400
                let overlap = random.next() % 20 == 0
                let start = dayStart + 9 * 3600 - (overlap ? 86_400 : 0)
                let minutes = 30 + Int(random.next() % 8) * 30
                let future = random.next() % 40 == 0
                let end = future ? clock(position) + 7200 : start + Int64(minutes) * 60
                nextRecord += 1
                let record = "R-\(seed)-\(nextRecord)"
                let activity = Self.activities[Int(random.next() % UInt64(Self.activities.count))]
                emit("volunteer.hours.submitted.v1", volunteer, [
                    "record_id": .string(record), "volunteer_id": .string(volunteer), "organization_id": .string("ORG-\(volunteerIndex % 13)"),
                    "activity_id": .string(activity.0), "activity_name": .string(activity.1), "place": .string("成都市\(Self.districts[volunteerIndex % 6])"),
                    "service_content": .string(activity.1 + "志愿服务"), "started_at": .string(Self.timestamp(start)), "ended_at": .string(Self.timestamp(end)),
                    "submitted_by": .string("ORG-\(volunteerIndex % 13)-STAFF"),
                ], time: max(clock(position), end + 3600))
                // Overlapping and future records are refused (OVERLAP, FUTURE_SERVICE): nobody reviews them.
                if !overlap && !future { pending.append((record, volunteer, minutes)) }
            } else if roll < 80, !pending.isEmpty {
                let pick = pending.remove(at: Int(random.next() % UInt64(pending.count)))
                var data: JSONObject = ["record_id": .string(pick.record), "volunteer_id": .string(pick.volunteer), "approver_id": .string("REVIEWER-1")]
                if random.next() % 4 == 0 { data.members.append(("approved_minutes", .integer(Int64(max(1, pick.minutes - 15))))) }
                emit("volunteer.hours.approved.v1", pick.volunteer, data, time: clock(position) + 86_400)
                approved.append(pick)
            } else if roll < 88, !pending.isEmpty {
                let pick = pending.remove(at: Int(random.next() % UInt64(pending.count)))
                emit("volunteer.hours.declined.v1", pick.volunteer, [
                    "record_id": .string(pick.record), "volunteer_id": .string(pick.volunteer), "approver_id": .string("REVIEWER-1"),
                    "reason": .string("活动签到记录不符"),
                ], time: clock(position) + 86_400)
            } else if roll < 94, !approved.isEmpty {
                let pick = approved[Int(random.next() % UInt64(approved.count))]
                emit("volunteer.hours.corrected.v1", pick.volunteer, [
                    "correction_id": .string("COR-\(seed)-\(position)"), "record_id": .string(pick.record), "volunteer_id": .string(pick.volunteer),
                    "approved_minutes": .integer(Int64(random.next() % UInt64(pick.minutes + 1))), "reason": .string("签到时间更正"),
                    "corrected_by": .string("REVIEWER-2"),
                ], time: clock(position) + 2 * 86_400)
            } else {
                emit("volunteer.certificate.requested.v1", volunteer, [
                    "certificate_id": .string("CERT-\(seed)-\(position)"), "volunteer_id": .string(volunteer),
                    "from": .string("2026-01-01"), "to": .string("2026-06-30"), "requested_by": .string(volunteer),
                ], time: clock(position) + 3 * 86_400)
            }
        }
        return output
    }

    /// RFC 3339 in Asia/Shanghai (+08:00) for epoch seconds.
    public static func timestamp(_ seconds: Int64) -> String {
        let local = seconds + 8 * 3600
        let date = LocalDate(daysSinceEpoch: Int(local / 86_400))
        let second = Int(local % 86_400)
        return "\(date)T\(String(format2: second / 3600)):\(String(format2: second / 60 % 60)):\(String(format2: second % 60))+08:00"
    }

    /// A valid identity number for `YYYYMMDD` (region 510104).
    public static func identityNumber(birth: String, sequence: Int) -> String {
        let body = "510104" + birth + String(format3: sequence % 1000)
        return body + String(FieldFormats.residentIdentityCheckCharacter(body) ?? "X")
    }
}

extension String {
    init(format2 value: Int) { self = value < 10 ? "0\(value)" : String(value) }
    init(format3 value: Int) { self = String.padded(value, 3) }
    init(format4 value: Int) { self = String.padded(value, 4) }
    init(format8 value: Int) { self = String.padded(value, 8) }

    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: Swift.max(0, width - digits.count)) + digits
    }
}
