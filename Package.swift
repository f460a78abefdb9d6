// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "welfare-workers",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "welfare-broker", targets: ["welfare-broker"]),
        .executable(name: "welfare-bench", targets: ["welfare-bench"]),
        .executable(name: "welfare-fuzz", targets: ["welfare-fuzz"]),
        .executable(name: "welfare-tally-worker", targets: ["welfare-tally-worker"]),
        .executable(name: "volunteer-hours-worker", targets: ["volunteer-hours-worker"]),
        .executable(name: "new-employment-benefits-worker", targets: ["new-employment-benefits-worker"]),
        .executable(name: "mutual-aid-claims-worker", targets: ["mutual-aid-claims-worker"]),
        .executable(name: "claim-status", targets: ["claim-status"]),
        .executable(name: "welfare-demo", targets: ["welfare-demo"]),
        .executable(name: "welfare-publish", targets: ["welfare-publish"]),
        .executable(name: "welfare-admin", targets: ["welfare-admin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
    ],
    targets: [
        // librdkafka, as Debian's librdkafka-dev ships it (rdkafka.h and rdkafka_mock.h).
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // libpq, as Debian's libpq-dev ships it: the PostgreSQL store engine's client.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        // A small blocking binding of libpq for the store writer's thread: connection, statements, results, errors.
        .target(name: "PostgreSQL", dependencies: ["CLibPQ"]),
        // jemalloc (Debian's libjemalloc-dev) as every process's malloc: see MemoryAllocator.c.
        .target(name: "MemoryAllocator", linkerSettings: [.linkedLibrary("jemalloc")]),
        // SQLite's process-wide settings that only its variadic sqlite3_config sets: see SQLiteTuning.c.
        .target(name: "SQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),
        // Writes the signal a worker dies of into its processing marker: see FatalSignalRecorder.c.
        .target(name: "FatalSignalRecorder"),
        // A small typed binding: consumer, producer, admin, embedded broker, errors.
        .target(name: "Kafka", dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log")]),
        // The machine-readable topic catalogue in topics/.
        .target(name: "TopicCatalogue", dependencies: ["Kafka", .product(name: "Yams", package: "Yams")]),
        // The engine every worker shares: envelope checks, store, batch loop, outbox, config, metrics.
        .target(
            name: "WorkerRuntime",
            dependencies: [
                "Kafka", "PostgreSQL", "MemoryAllocator", "SQLiteTuning", "FatalSignalRecorder",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Volunteer hours: records, review, ledger and stars, corrections, certificates.
        .target(
            name: "VolunteerHours",
            dependencies: ["WorkerRuntime", "PostgreSQL", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .executableTarget(
            name: "volunteer-hours-worker",
            dependencies: ["VolunteerHours", "WorkerRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Mutual-aid claims: enrolments, the claim state machine, benefit formulas and caps, claim-status.
        .target(
            name: "MutualAidClaims",
            dependencies: ["WorkerRuntime", "PostgreSQL", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "mutual-aid-claims-worker",
            dependencies: ["MutualAidClaims", "WorkerRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "claim-status",
            dependencies: ["MutualAidClaims", "WorkerRuntime", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // New-employment benefits: activity, applications against the catalogue, quotas, waiting list, vouchers.
        .target(
            name: "NewEmploymentBenefits",
            dependencies: ["WorkerRuntime", "PostgreSQL", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "new-employment-benefits-worker",
            dependencies: ["NewEmploymentBenefits", "WorkerRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Seeded, realistic event streams per domain (tests, benchmarks, the publish tool).
        .target(name: "SampleStreams", dependencies: ["WorkerRuntime", "MutualAidClaims", "NewEmploymentBenefits"]),
        // A tiny domain for testing and benchmarking the runtime on its own.
        .target(name: "TallyDomain", dependencies: ["WorkerRuntime", "PostgreSQL", .product(name: "GRDB", package: "GRDB.swift")]),
        .executableTarget(
            name: "welfare-tally-worker",
            dependencies: ["TallyDomain", "WorkerRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The one list of domains the tools, benchmarks and consistency tests take their domains from.
        .target(
            name: "WelfareDomains",
            dependencies: ["WorkerRuntime", "SampleStreams", "VolunteerHours", "MutualAidClaims", "NewEmploymentBenefits", "TallyDomain"]
        ),
        .executableTarget(
            name: "welfare-broker",
            dependencies: [
                "Kafka", "TopicCatalogue", "MemoryAllocator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Operations: topics against a cluster, dead letters, backups; shared by the operators' tools.
        .target(
            name: "WelfareOperations",
            dependencies: ["Kafka", "TopicCatalogue", "WorkerRuntime", "PostgreSQL", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Logging", package: "swift-log")]
        ),
        .executableTarget(
            name: "welfare-admin",
            dependencies: ["Kafka", "TopicCatalogue", "WorkerRuntime", "WelfareOperations", "WelfareDomains", "VolunteerHours", "MutualAidClaims",
                           "NewEmploymentBenefits", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "welfare-publish",
            dependencies: ["Kafka", "WorkerRuntime", "SampleStreams", "WelfareDomains", "WelfareOperations", .product(name: "Logging", package: "swift-log"),
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "welfare-demo",
            dependencies: ["Kafka", "WorkerRuntime", "SampleStreams", "WelfareDomains", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Mutated events through every domain's checks and handler against a real store.
        .executableTarget(
            name: "welfare-fuzz",
            dependencies: ["WorkerRuntime", "Kafka", "SampleStreams", "WelfareDomains",
                           .product(name: "GRDB", package: "GRDB.swift"), .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "welfare-bench",
            dependencies: [
                "Kafka", "WorkerRuntime", "TallyDomain", "SampleStreams", "WelfareDomains", "VolunteerHours", "NewEmploymentBenefits", "MutualAidClaims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // Helpers shared by the test suites (starting the built executables, finding the repository).
        .target(
            name: "WelfareTestSupport",
            dependencies: ["WorkerRuntime", "Kafka", "PostgreSQL", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log")],
            path: "Tests/WelfareTestSupport"
        ),
        .testTarget(
            name: "ToolTests",
            dependencies: ["WelfareTestSupport", "Kafka", "WorkerRuntime", "TopicCatalogue", "WelfareDomains", "SampleStreams", "TallyDomain", "VolunteerHours", "MutualAidClaims",
                           "NewEmploymentBenefits", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Yams", package: "Yams"),
                           .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "TopicCatalogue", "WelfareTestSupport"]),
        .testTarget(
            name: "VolunteerHoursTests",
            dependencies: ["VolunteerHours", "WorkerRuntime", "Kafka", "SampleStreams", "WelfareTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "MutualAidClaimsTests",
            dependencies: ["MutualAidClaims", "WorkerRuntime", "Kafka", "SampleStreams", "WelfareTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "NewEmploymentBenefitsTests",
            dependencies: ["NewEmploymentBenefits", "WorkerRuntime", "Kafka", "SampleStreams", "WelfareTestSupport", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "WorkerRuntimeTests",
            dependencies: ["WorkerRuntime", "Kafka", "PostgreSQL", "TallyDomain", "WelfareTestSupport", "MemoryAllocator", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Release builds optimise across this package's own modules: the engine is generic over a worker's domain,
// and without this its per-message code ran unspecialised (metadata lookups, witness calls, boxing).
for target in package.targets where target.type == .regular || target.type == .executable {
    target.swiftSettings = (target.swiftSettings ?? []) + [.unsafeFlags(["-cross-module-optimization"], .when(configuration: .release))]
}
