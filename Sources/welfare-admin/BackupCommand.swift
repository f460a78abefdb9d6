import ArgumentParser
import WelfareOperations

/// `welfare-admin backup`: an online, consistent copy of a worker's store.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy a worker's store while the worker runs (VACUUM INTO), then check and count the copy.",
        discussion: "The copy is one consistent snapshot, created with mode 0600. Restore: stop the worker, replace the store file (and remove its -wal and -shm files), start the worker.")
    @Option(help: "The worker's store.") var store: String
    @Option(help: "Where the copy goes (must not exist).") var to: String

    func run() throws {
        let summary = try StoreBackup(storePath: store).copy(to: to)
        print("backed up \(store) to \(summary.path) (\(summary.bytes) bytes, integrity ok)")
        for (table, count) in summary.rowCounts.sorted(by: { $0.key < $1.key }) {
            print("  \(table) \(count)")
        }
    }
}
