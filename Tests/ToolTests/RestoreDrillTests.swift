import Foundation
import GRDB
import Kafka
import Testing
import WelfareTestSupport
import WorkerRuntime

/// The RUNBOOK's "store corrupt" drill, step by step: a backup taken while the worker runs, the store
/// destroyed later, the backup put in place, the worker started again. It must resume from the offsets in
/// the copy and end with exactly what a worker that never failed holds.
@Suite("restoring a store from a backup")
struct RestoreDrillTests {
    @Test("a corrupt store is refused; the backup put in its place resumes and ends equal to a run that never failed")
    func restoreFromBackupResumes() async throws {
        let broker = try TallyBrokerProcess(partitions: 4)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let admin = TestPaths.executable("welfare-admin")
        let store = directory.appendingPathComponent("tally.sqlite").path
        func events(_ range: Range<Int>) -> [(key: String, value: [UInt8])] {
            range.map { index in (key: "T-\(index % 50)", value: Array(tallyEventText(id: "e-\(index)", tally: "T-\(index % 50)", amount: "\(index % 7 + 1)").utf8)) }
        }

        // A day's work, with a backup taken halfway while the worker runs.
        var worker = try startTallyWorker(bootstrapServers: broker.bootstrapServers, store: store, environment: ["WELFARE_LOG_LEVEL": "warning"])
        try await publish(events(0..<2_000), topic: "welfare.tally", bootstrap: broker.bootstrapServers)
        #expect(await waitForStoredProcessed(store, 2_000))
        let backup = directory.appendingPathComponent("backup/tally-halfway.sqlite").path
        let copied = try runProgram(admin, ["backup", "--store", store, "--to", backup])
        #expect(copied.status == 0 && copied.output.contains("integrity ok"), "\(copied.output)")
        try await publish(events(2_000..<5_000), topic: "welfare.tally", bootstrap: broker.bootstrapServers)
        #expect(await waitForStoredProcessed(store, 5_000))
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit()?.status == 0)

        // The disk damages the store: the worker refuses it rather than run on it.
        let handle = try #require(FileHandle(forWritingAtPath: store))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 16_384))
        try handle.close()
        let refused = try startTallyWorker(bootstrapServers: broker.bootstrapServers, store: store)
        let exit = await refused.waitForExit(timeout: .seconds(30))
        #expect(exit != nil && exit?.status != 0, "a worker started on a corrupt store should exit with an error")

        // The drill: stopped worker; the damaged store and everything beside it moved aside; the copy put in
        // its place with mode 0600; started again.
        let aside = directory.appendingPathComponent("damaged")
        try FileManager.default.createDirectory(at: aside, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm", ".processing"] where FileManager.default.fileExists(atPath: store + suffix) {
            try FileManager.default.moveItem(atPath: store + suffix, toPath: aside.appendingPathComponent("tally.sqlite" + suffix).path)
        }
        try FileManager.default.copyItem(atPath: backup, toPath: store)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: store)
        worker = try startTallyWorker(bootstrapServers: broker.bootstrapServers, store: store, environment: ["WELFARE_LOG_LEVEL": "warning"])
        defer { worker.signal(SIGKILL) }
        #expect(await waitForStoredProcessed(store, 5_000))

        // A worker that never failed, on a fresh store, over the same topic.
        let reference = directory.appendingPathComponent("reference.sqlite").path
        let fresh = try startTallyWorker(bootstrapServers: broker.bootstrapServers, store: reference,
                                         environment: ["WELFARE_LOG_LEVEL": "warning", "WELFARE_KAFKA_GROUP_ID": "reference"])
        defer { fresh.signal(SIGKILL) }
        #expect(await waitForStoredProcessed(reference, 5_000))

        func contents(_ path: String) async throws -> [String] {
            try await SQLiteStore.openReadOnly(path: path).read { db in
                try String.fetchAll(db, sql: "SELECT tally_id || '=' || total FROM tally_totals ORDER BY tally_id")
                    + String.fetchAll(db, sql: "SELECT entry_id || ':' || amount FROM tally_entries ORDER BY entry_id")
                    + String.fetchAll(db, sql: "SELECT partition || ':' || offset || ':' || outcome FROM runtime_message_outcomes ORDER BY partition, offset")
            }
        }
        let restored = try await contents(store)
        #expect(await storedProcessedCount(store) == 5_000)
        #expect(restored.count > 5_000)
        #expect(restored == (try await contents(reference)))
    }
}
