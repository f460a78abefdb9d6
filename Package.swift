// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "welfare-workers",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "welfare-broker", targets: ["welfare-broker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        // librdkafka, as Debian's librdkafka-dev ships it (rdkafka.h and rdkafka_mock.h).
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        // A small typed binding: consumer, producer, admin, embedded broker, errors.
        .target(name: "Kafka", dependencies: ["CRdKafka"]),
        // The machine-readable topic catalogue in topics/.
        .target(name: "TopicCatalogue", dependencies: ["Kafka", .product(name: "Yams", package: "Yams")]),
        .executableTarget(
            name: "welfare-broker",
            dependencies: [
                "Kafka", "TopicCatalogue",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "welfare-bench",
            dependencies: ["Kafka", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "TopicCatalogue"]),
    ],
    swiftLanguageModes: [.v6]
)
