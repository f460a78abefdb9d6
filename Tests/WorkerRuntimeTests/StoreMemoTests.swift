import Foundation
import GRDB
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("store memo")
struct StoreMemoTests {
    private struct RolledBack: Error {}

    @Test("a fact found in a transaction that rolls back is forgotten; one found in a committed transaction is not searched for again")
    func memoFollowsTheTransaction() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("memo.sqlite").path, schema: [
            SchemaMigration("facts", sql: "CREATE TABLE facts (key TEXT PRIMARY KEY, value TEXT NOT NULL)"),
        ])
        let memo = StoreMemo()
        func lookup(_ key: String, _ db: Database) throws -> String? {
            try memo.value(for: key, in: StoreTransaction(sqlite: db)) { try String.fetchOne(db, sql: "SELECT value FROM facts WHERE key = ?", arguments: [key]) }
        }

        // Found inside a batch that then fails: the row and the memo's entry go together.
        #expect(throws: RolledBack.self) {
            try store.queue.write { db in
                try db.execute(sql: "INSERT INTO facts VALUES ('W-1', 'courier')")
                #expect(try lookup("W-1", db) == "courier")
                throw RolledBack()
            }
        }
        #expect(memo.committedCount == 0)
        #expect(try store.queue.write { db in try lookup("W-1", db) } == nil)

        // Found inside a batch that commits: later batches take it from the memo, not from the store.
        try store.queue.write { db in
            try db.execute(sql: "INSERT INTO facts VALUES ('W-2', 'delivery_rider')")
            #expect(try lookup("W-2", db) == "delivery_rider")
        }
        #expect(memo.committedCount == 1)
        let remembered = try store.queue.write { db in
            memo.value(for: "W-2", in: StoreTransaction(sqlite: db)) {
                Issue.record("the store was searched again for a remembered fact")
                return nil
            }
        }
        #expect(remembered == "delivery_rider")
    }

    @Test("a memo with no room remembers nothing and still answers from the store")
    func fullMemoStillAnswers() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("memo.sqlite").path, schema: [])
        let memo = StoreMemo(capacity: 0)
        let answer = try store.queue.write { db in memo.value(for: "k", in: StoreTransaction(sqlite: db)) { "v" } }
        #expect(answer == "v")
        #expect(memo.committedCount == 0)
    }
}
