import Foundation
import GRDB
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("fast statements")
struct FastStatementTests {
    @Test("text and bytes bound in place arrive intact, empty ones included, and the statement stays usable through GRDB")
    func boundValuesArriveIntact() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("fast.sqlite").path, schema: [
            SchemaMigration("values", sql: "CREATE TABLE kept (id INTEGER PRIMARY KEY, word TEXT, bytes BLOB, number INTEGER)"),
        ])
        let long = String(repeating: "锦江区志愿服务", count: 40)
        let rows: [(Int64, String?, [UInt8]?, Int64?)] = [
            (1, "short", [1, 2, 3], 42), (2, long, Array(long.utf8), -7), (3, "", [], 0), (4, nil, nil, nil),
        ]
        let insert = "INSERT INTO kept (id, word, bytes, number) VALUES (?, ?, ?, ?)"
        try store.queue.write { db in
            for (id, word, bytes, number) in rows {
                try FastStatement(db, sql: insert).execute(.integer(id), .optionalText(word), bytes.map(FastValue.blob) ?? .null, .optionalInteger(number))
            }
        }
        try store.queue.read { db in
            for (id, word, bytes, number) in rows {
                let row = try #require(try Row.fetchOne(db, sql: "SELECT word, bytes, number FROM kept WHERE id = ?", arguments: [id]))
                #expect(row["word"] as String? == word)
                #expect((row["bytes"] as Data?).map { [UInt8]($0) } == bytes.map { $0.isEmpty ? [] : $0 })
                #expect(row["number"] as Int64? == number)
            }
        }
        try store.queue.write { db in
            let lookup = try FastStatement(db, sql: "SELECT number FROM kept WHERE word = ?")
            #expect(try lookup.integer(.text(long)) == -7)
            #expect(try lookup.exists(.text("short")))
            #expect(try lookup.exists(.text("")))
            #expect(try !lookup.exists(.text("absent")))
            // GRDB shares the cached statement and binds its own arguments over the cleared ones.
            #expect(try Int64.fetchOne(db.cachedStatement(sql: "SELECT number FROM kept WHERE word = ?"), arguments: ["short"]) == 42)
            #expect(try lookup.integer(.text("short")) == 42)
        }
    }
}
