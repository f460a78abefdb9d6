import ArgumentParser
import Foundation
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
    @Option(help: "Run on this existing store (one `welfare-bench seed` made) instead of an empty one; it keeps the run's rows.") var store: String?

    func run() throws {
        var messages: [(key: [UInt8], value: [UInt8])] = []
        messages.reserveCapacity(events + volunteers)
        var sequence = 0
        var random = SeededRandom(seed: 2026)
        func event(_ type: String, _ volunteer: String, _ data: JSONObject, time: String) {
            sequence += 1
            let envelope: JSONObject = [
                "specversion": .string("1.0"), "id": .string(uuidIds ? SampleUUID.next(&random) : "bench-\(sequence)"), "source": .string("/bench/volunteer-app"),
                "type": .string(type), "time": .string(time), "subject": .string(volunteer), "data": .object(data),
            ]
            messages.append((Array(volunteer.utf8), JSONWriter.encode(.object(envelope))))
        }
        for index in 0..<volunteers {
            let volunteer = "V-\(index)"
            let person = SampleIdentity.person(index)
            event("volunteer.registered.v1", volunteer, [
                "volunteer_id": .string(volunteer), "name": .string("志愿者\(index % 1000)"), "id_number": .string(person.number),
                "phone": .string("13800138000"), "birth_date": .string(person.birthDate.description), "district": .string("锦江区"),
            ], time: "2026-01-02T09:00:00+08:00")
        }
        let records = events / 2
        for index in 0..<records {
            let volunteer = "V-\(index % volunteers)"
            let day = 1 + index / volunteers  // each volunteer serves once a day
            let date = LocalDate(year: 2026, month: 1, day: 1)!.adding(days: day)
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
}
