import ArgumentParser
import GRDB
import WelfareDomains
import WelfareOperations
import WorkerRuntime

/// `welfare-admin store copy`: moves a stopped worker's SQLite store to PostgreSQL.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Move a worker's store between engines.",
        subcommands: [Copy.self])

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
            let identifiers = try SQLiteStore.openReadOnly(path: sqlite).read { db in
                Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
            }
            let domains = WelfareDomains.all + [WelfareDomains.tally]
            guard let entry = try domains.first(where: { entry in
                try (entry.makeHandler().schema(for: .sqlite).first?.identifier).map(identifiers.contains) ?? false
            }) else {
                throw ValidationError("\(sqlite) is not the store of a known worker")
            }
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
