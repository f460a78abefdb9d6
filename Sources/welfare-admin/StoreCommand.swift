import ArgumentParser
import GRDB
import WelfareDomains
import WelfareOperations
import WorkerRuntime

/// `welfare-admin store copy`: moves a stopped worker's SQLite store to PostgreSQL; `store upgrade` brings
/// one up to this version's schema ahead of the worker's start.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move a worker's store between engines, or upgrade it ahead of a worker's start.",
        subcommands: [Copy.self, Upgrade.self])

    /// The worker whose SQLite store `path` is, told by the migrations it has recorded.
    static func domain(ofStore path: String) throws -> DomainEntry {
        let identifiers = try SQLiteStore.openReadOnly(path: path).read { db in
            Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
        }
        let domains = WelfareDomains.all + [WelfareDomains.tally]
        guard let entry = try domains.first(where: { entry in
            try (entry.makeHandler().schema(for: .sqlite).first?.identifier).map(identifiers.contains) ?? false
        }) else {
            throw ValidationError("\(path) is not the store of a known worker")
        }
        return entry
    }

    struct Upgrade: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply this version's schema steps to a stopped worker's SQLite store, and say which ran and how long they took.",
            discussion: """
                A worker applies them itself when it starts; on a store of years of events some steps rebuild a table and \
                take minutes, which this runs ahead of the restart. Offline: the worker must be stopped (its lock is taken).
                """)
        @Argument(help: "The worker's SQLite store.") var sqlite: String
        @Option(help: "SQLite page cache for the upgrade, in MiB (rebuilding a large table goes faster with more).") var cacheMb = 1_024

        func run() throws {
            let entry = try StoreCommand.domain(ofStore: sqlite)
            let lock = try StoreLock(storePath: sqlite)
            defer { withExtendedLifetime(lock) {} }
            let applied = { try SQLiteStore.openReadOnly(path: sqlite).read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") } }
            let before = Set(try applied())
            let start = ContinuousClock.now
            _ = try SQLiteStore(path: sqlite, cacheMegabytes: cacheMb, schema: try entry.makeHandler().schema(for: .sqlite))
            let steps = try applied().filter { !before.contains($0) }
            print("upgraded the \(entry.name) store \(sqlite): \(steps.isEmpty ? "already up to date" : steps.joined(separator: ", ")) (\(ContinuousClock.now - start))")
        }
    }

    struct Copy: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a stopped worker's SQLite store into an empty PostgreSQL database, checked and counted.",
            discussion: """
                Offline: the worker must be stopped (its lock is taken). The target database must be empty (a new database; \
                the worker's tables are made there first). Everything is copied in one transaction and checked before it \
                commits: row counts per table and the saved offsets. The password comes from PGPASSWORD or PGPASSFILE, \
                never from the URL. Then start the worker's instances with the URL as their store.
                """)
        @Argument(help: "The worker's SQLite store.") var sqlite: String
        @Argument(help: "The PostgreSQL database, e.g. postgresql://welfare@db.example/volunteer_hours") var postgres: String

        func run() throws {
            let entry = try StoreCommand.domain(ofStore: sqlite)
            let summary = try copy(entry.makeHandler())
            print("copied the \(entry.name) store \(sqlite) to \(postgres) (checked: row counts and offsets)")
            for (table, count) in summary.rowCounts.sorted(by: { $0.key < $1.key }) {
                print("  \(table) \(count)")
            }
            print("  offsets: \(summary.offsets.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }

        private func copy<Handler: DomainHandler>(_ handler: Handler) throws -> StoreCopy.Summary {
            try StoreCopy(sqlitePath: sqlite, postgresURL: postgres).copy(for: handler)
        }
    }
}
