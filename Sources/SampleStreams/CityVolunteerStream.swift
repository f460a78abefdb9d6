import WorkerRuntime

/// Years of a city's volunteer-hours events, generated a chunk at a time (a city-scale store is far more than
/// memory holds as messages): registrations through the first 40 % of the stream, service records that are
/// submitted the evening of their service day and reviewed a little later (approved, some declined, a few
/// corrected), and certificate requests. Every id is a UUID, as upstream systems make them. Volunteer ids
/// (`CV-n`) and identity numbers do not meet the benchmark streams' (`V-n`, `SampleIdentity.person(n)`
/// below 100,000), so a benchmark run on a seeded store meets the same rules as on an empty one.
public struct CityVolunteerStream {
    public let events: Int
    public let volunteers: Int
    /// Business time runs from `startSeconds` over `days` days, evenly through the stream.
    public let startSeconds: Int64
    public let days: Int
    private var random: SeededRandom
    private var position = 0
    private var registered = 0
    /// Submitted records waiting for review, oldest first (a ring: reviews trail submissions by `reviewLag`).
    private var pending: [(record: String, volunteer: Int, minutes: Int)] = []
    private var pendingStart = 0
    /// Recently approved records, which corrections pick from.
    private var approved: [(record: String, volunteer: Int, minutes: Int)] = []
    private static let reviewLag = 2_000
    private static let source = "/tianfu-citizen-cloud/volunteer-app"

    /// `events` messages over `volunteers` volunteers; business time from 2021-01-01 00:00 Asia/Shanghai over
    /// five years unless told otherwise, so a benchmark stream dated 2026 follows it.
    public init(events: Int, volunteers: Int, seed: UInt64 = 2021, startSeconds: Int64 = 1_609_430_400, days: Int = 1_826) {
        self.events = events
        self.volunteers = max(1, min(volunteers, events / 3))
        self.startSeconds = startSeconds
        self.days = days
        random = SeededRandom(seed: seed)
    }

    /// Messages generated so far.
    public var generated: Int { position }

    /// The next `count` messages at most (none once `events` are out).
    public mutating func next(_ count: Int) -> [SampleMessage] {
        var output: [SampleMessage] = []
        output.reserveCapacity(count)
        while output.count < count && position < events {
            output.append(nextMessage())
            position += 1
        }
        return output
    }

    private var now: Int64 { startSeconds + Int64(Double(position) / Double(events) * Double(days) * 86_400) }

    private mutating func nextMessage() -> SampleMessage {
        let registrationSpan = Double(events) * 0.4
        let registrationsDue = min(volunteers, Int(Double(position + 1) / registrationSpan * Double(volunteers)) + 1)
        if registered < registrationsDue || registered == 0 {
            registered += 1
            return registration(registered - 1)
        }
        let waiting = pending.count - pendingStart
        let roll = random.next() % 1_000
        if waiting > Self.reviewLag {
            let pick = pending[pendingStart]
            pendingStart += 1
            if pendingStart > 4_096 {
                pending.removeFirst(pendingStart)
                pendingStart = 0
            }
            return roll < 930 ? approval(pick) : decline(pick)
        }
        if roll < 6, let pick = approved.isEmpty ? nil : approved[Int(random.next() % UInt64(approved.count))] {
            return correction(pick)
        }
        if roll < 9 { return certificate(Int(random.next() % UInt64(registered))) }
        return submission(Int(random.next() % UInt64(registered)))
    }

    private static func volunteerID(_ index: Int) -> String { "CV-\(index)" }

    private mutating func event(_ type: String, _ volunteer: Int, _ data: JSONObject, time: Int64) -> SampleMessage {
        let key = Self.volunteerID(volunteer)
        let envelope: JSONObject = [
            "specversion": .string("1.0"), "id": .string(SampleUUID.next(&random)), "source": .string(Self.source),
            "type": .string(type), "time": .string(VolunteerHoursStream.timestamp(time)), "subject": .string(key),
            "datacontenttype": .string("application/json"), "data": .object(data),
        ]
        return SampleMessage(key: key, value: JSONWriter.encode(.object(envelope)))
    }

    private mutating func registration(_ index: Int) -> SampleMessage {
        let person = SampleIdentity.person(100_000 + index)
        let name = String(VolunteerHoursStream.surnames[index % 10]) + String(VolunteerHoursStream.given[index / 10 % 10])
            + String(VolunteerHoursStream.given[index / 100 % 10])
        return event("volunteer.registered.v1", index, [
            "volunteer_id": .string(Self.volunteerID(index)), "name": .string(name), "id_number": .string(person.number),
            "phone": .string("139" + String(format8: index % 100_000_000)), "birth_date": .string(person.birthDate.description),
            "district": .string(VolunteerHoursStream.districts[index % VolunteerHoursStream.districts.count]),
        ], time: now)
    }

    /// A service record of the day before, started on the hour the volunteer's id gives (so one volunteer's
    /// records of one day seldom overlap), submitted that evening.
    private mutating func submission(_ volunteer: Int) -> SampleMessage {
        let day = (now + 8 * 3_600) / 86_400 - 1
        let start = day * 86_400 - 8 * 3_600 + Int64(8 + (volunteer + Int(random.next() % 3) * 4) % 12) * 3_600
        let minutes = 30 + Int(random.next() % 8) * 30
        let record = SampleUUID.next(&random)
        let activity = VolunteerHoursStream.activities[volunteer % VolunteerHoursStream.activities.count]
        let organization = "ORG-\(volunteer % 40_000)"
        pending.append((record, volunteer, minutes))
        return event("volunteer.hours.submitted.v1", volunteer, [
            "record_id": .string(record), "volunteer_id": .string(Self.volunteerID(volunteer)), "organization_id": .string(organization),
            "activity_id": .string(activity.0), "activity_name": .string(activity.1),
            "place": .string("成都市\(VolunteerHoursStream.districts[volunteer % VolunteerHoursStream.districts.count])"),
            "service_content": .string(activity.1 + "志愿服务"), "started_at": .string(VolunteerHoursStream.timestamp(start)),
            "ended_at": .string(VolunteerHoursStream.timestamp(start + Int64(minutes) * 60)), "submitted_by": .string(organization + "-STAFF"),
        ], time: max(now, start + Int64(minutes) * 60 + 3_600))
    }

    private mutating func approval(_ pick: (record: String, volunteer: Int, minutes: Int)) -> SampleMessage {
        if approved.count < 10_000 { approved.append(pick) } else { approved[Int(random.next() % 10_000)] = pick }
        return event("volunteer.hours.approved.v1", pick.volunteer, [
            "record_id": .string(pick.record), "volunteer_id": .string(Self.volunteerID(pick.volunteer)), "approver_id": .string("REVIEWER-\(pick.volunteer % 97)"),
        ], time: now + 86_400)
    }

    private mutating func decline(_ pick: (record: String, volunteer: Int, minutes: Int)) -> SampleMessage {
        event("volunteer.hours.declined.v1", pick.volunteer, [
            "record_id": .string(pick.record), "volunteer_id": .string(Self.volunteerID(pick.volunteer)), "approver_id": .string("REVIEWER-\(pick.volunteer % 97)"),
            "reason": .string("活动签到记录不符"),
        ], time: now + 86_400)
    }

    private mutating func correction(_ pick: (record: String, volunteer: Int, minutes: Int)) -> SampleMessage {
        event("volunteer.hours.corrected.v1", pick.volunteer, [
            "correction_id": .string(SampleUUID.next(&random)), "record_id": .string(pick.record), "volunteer_id": .string(Self.volunteerID(pick.volunteer)),
            "approved_minutes": .integer(Int64(max(0, pick.minutes - 30))), "reason": .string("签到时间更正"), "corrected_by": .string("REVIEWER-AUDIT"),
        ], time: now + 2 * 86_400)
    }

    private mutating func certificate(_ volunteer: Int) -> SampleMessage {
        let today = LocalDate(daysSinceEpoch: Int((now + 8 * 3_600) / 86_400))
        return event("volunteer.certificate.requested.v1", volunteer, [
            "certificate_id": .string(SampleUUID.next(&random)), "volunteer_id": .string(Self.volunteerID(volunteer)),
            "from": .string(today.adding(days: -365).description), "to": .string(today.description), "requested_by": .string(Self.volunteerID(volunteer)),
        ], time: now)
    }
}
