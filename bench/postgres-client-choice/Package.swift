// swift-tools-version: 6.1
// The measurement that chose the PostgreSQL client (not part of the product's build): the same writer
// workload through Debian's libpq and through vapor/postgres-nio. See docs/PERFORMANCE.md.
import PackageDescription

let package = Package(
    name: "postgres-client-choice",
    platforms: [.macOS(.v15)],
    dependencies: [.package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0")],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .executableTarget(name: "libpq-choice", dependencies: ["CLibPQ"]),
        .executableTarget(name: "postgres-nio-choice", dependencies: [.product(name: "PostgresNIO", package: "postgres-nio")]),
    ],
    swiftLanguageModes: [.v6]
)
