import ArgumentParser
import Foundation
import GRDB
import SampleStreams
import WelfareDomains
import WorkerRuntime

/// The volunteer-hours worker end to end: registrations, then service records submitted and approved.
struct VolunteerHoursBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volunteer-hours",
        abstract: "Measure volunteer-hours-worker: N submitted + approved events over V volunteers (after their registrations).")

    @Option(help: "Submitted plus approved events (half each).") var events = 500_000
    @Option(help: "Volunteers (registered first, counted in the total).") var volunteers = 50_000
    @Option(help: "Partitions of the input topic.") var partitions = 64
    @Flag(help: "Load the worker's /status page once a second during the run.") var loadStatusPage = false
    @Flag(help: "Event and record ids as UUIDs (random keys, as most upstream systems send) instead of counters.") var uuidIds = false
    @Option(help: "Seed of the UUIDs (--uuid-ids): a second run on the same store needs another, or its events are duplicates.") var idSeed: UInt64 = 2026
    @Option(help: "Number of the first volunteer (V-n, identity SampleIdentity.person(n)): a second run on the same store needs others (5,000,000 on).") var firstVolunteer = 0
    @Option(help: "Run on this existing store (one `welfare-bench seed` made) instead of an empty one; it keeps the run's rows.") var store: String?

    func run() throws {
        // On an existing store the stream starts the day after the store's business clock, as the next events
        // of a running city would (an older store would otherwise forget its whole window of ids at once).
        let firstDay = try store.flatMap(Self.dayAfterBusinessClock) ?? LocalDate(daysSinceEpoch: 20_454)  // 2026-01-01
        var messages: [(key: [UInt8], value: [UInt8])] = []
        messages.reserveCapacity(events + volunteers)
        var sequence = 0
        var random = SeededRandom(seed: idSeed)
        func event(_ type: String, _ volunteer: String, _ data: JSONObject, time: String) {
            sequence += 1
            let envelope: JSONObject = [
                "specversion": .string("1.0"), "id": .string(uuidIds ? SampleUUID.next(&random) : "bench-\(sequence)"), "source": .string("/bench/volunteer-app"),
                "type": .string(type), "time": .string(time), "subject": .string(volunteer), "data": .object(data),
            ]
            messages.append((Array(volunteer.utf8), JSONWriter.encode(.object(envelope))))
        }
        for index in 0..<volunteers {
            let volunteer = "V-\(firstVolunteer + index)"
            let person = SampleIdentity.person(firstVolunteer + index)
            event("volunteer.registered.v1", volunteer, [
                "volunteer_id": .string(volunteer), "name": .string("志愿者\(index % 1000)"), "id_number": .string(person.number),
                "phone": .string("13800138000"), "birth_date": .string(person.birthDate.description), "district": .string("锦江区"),
            ], time: "\(firstDay.adding(days: 1))T09:00:00+08:00")
        }
        let records = events / 2
        for index in 0..<records {
            let volunteer = "V-\(firstVolunteer + index % volunteers)"
            let day = 1 + index / volunteers  // each volunteer serves once a day
            let date = firstDay.adding(days: day)
            let record = uuidIds ? SampleUUID.next(&random) : "R-\(index)"
            event("volunteer.hours.submitted.v1", volunteer, [
                "record_id": .string(record), "volunteer_id": .string(volunteer), "organization_id": .string("ORG-\(index % 300)"),
                "activity_id": .string("ACT-\(index % 50)"), "activity_name": .string("社区服务"), "place": .string("锦江区"),
                "service_content": .string("志愿服务"), "started_at": .string("\(date)T09:00:00+08:00"), "ended_at": .string("\(date)T11:30:00+08:00"),
                "submitted_by": .string("ORG-\(index % 300)-STAFF"),
            ], time: "\(date)T18:00:00+08:00")
            event("volunteer.hours.approved.v1", volunteer, [
                "record_id": .string(record), "volunteer_id": .string(volunteer), "approver_id": .string("ORG-\(index % 300)-LEAD"),
            ], time: "\(date)T20:00:00+08:00")
        }
        try WorkerBenchmarkRun(domain: WelfareDomains.volunteerHours, partitions: partitions,
                               environment: ["WELFARE_DOMAIN_CERTIFICATE_SECRET": "benchmark-certificate-secret-0123"], loadStatusPage: loadStatusPage, existingStore: store).run(messages: messages)
    }

    /// The Asia/Shanghai day after the latest event time a store has seen.
    static func dayAfterBusinessClock(_ path: String) throws -> LocalDate? {
        let queue = try SQLiteStore.openReadOnly(path: path)
        defer { try? queue.close() }
        guard let clock = try queue.read({ try Int64.fetchOne($0, sql: "SELECT clock_us FROM runtime_retention WHERE id = 1") }) else { return nil }
        return LocalDate(daysSinceEpoch: Int((clock / 1_000_000 + 8 * 3_600) / 86_400) + 1)
    }
}
