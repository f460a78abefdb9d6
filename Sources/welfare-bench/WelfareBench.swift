import ArgumentParser

/// Benchmarks of the workers and of the Kafka binding, on the embedded broker. Run in release mode.
@main
struct WelfareBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "welfare-bench",
        abstract: "Measure the Kafka binding and the workers on the embedded broker (build with -c release).",
        subcommands: [RawConsumeBenchmark.self, TallyWorkerBenchmark.self, ProcessorBenchmark.self, StoreFloorBenchmark.self, VolunteerHoursBenchmark.self, NewEmploymentBenefitsBenchmark.self, MutualAidClaimsBenchmark.self, SeedCommand.self])
}
