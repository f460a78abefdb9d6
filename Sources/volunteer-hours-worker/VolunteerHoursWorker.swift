import ArgumentParser
import VolunteerHours
import WorkerRuntime

/// The volunteer-hours worker: consumes `welfare.volunteer-hours`.
@main
struct VolunteerHoursWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "volunteer-hours-worker",
        abstract: "Credit volunteers' service hours from welfare.volunteer-hours into the volunteer store.")

    @OptionGroup var options: WorkerOptions

    func run() async throws {
        try await WorkerLauncher.run(VolunteerHoursDomain.self, options: options)
    }
}
