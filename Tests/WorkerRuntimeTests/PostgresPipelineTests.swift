import Foundation
import Kafka
import PostgreSQL
import Synchronization
import Testing
import WelfareTestSupport

/// Batch transactions in libpq's pipeline mode: queued statements fail the whole transaction, and a long
/// queue followed by a read neither stalls nor loses a row.
@Suite("PostgreSQL pipelined transactions", .timeLimit(.minutes(2)))
struct PostgresPipelineTests {
    static func connection() throws -> PostgresConnection {
        let connection = try PostgresConnection(url: try TestPostgres.newDatabase())
        try connection.execute("CREATE TABLE entries (id integer PRIMARY KEY, payload text NOT NULL)")
        return connection
    }

    @Test("a queued statement that fails rolls the whole transaction back with its error, and the connection works on")
    func queuedFailureRollsBack() throws {
        let connection = try Self.connection()
        #expect {
            try connection.pipelinedTransaction {
                try connection.send("INSERT INTO entries (id, payload) VALUES ($1, 'first')", [.integer(1)])
                try connection.send("INSERT INTO entries (id, payload) VALUES ($1, 'again')", [.integer(1)])
                try connection.send("INSERT INTO entries (id, payload) VALUES ($1, 'after')", [.integer(2)])
            }
        } throws: { error in
            (error as? PostgresError)?.sqlState == "23505"
        }
        #expect(try connection.query("SELECT count(*) FROM entries").integer(0, 0) == 0)
        try connection.pipelinedTransaction { try connection.send("INSERT INTO entries (id, payload) VALUES (3, 'later')") }
        #expect(try connection.query("SELECT payload FROM entries").text(0, 0) == "later")
    }

    @Test("a read after thousands of queued statements sees every one of them, and a failure before it is thrown by the read")
    func longQueueThenRead() throws {
        let connection = try Self.connection()
        let payload = String(repeating: "x", count: 300)
        let seen = try connection.pipelinedTransaction {
            for id in 0..<5_000 {
                try connection.send("INSERT INTO entries (id, payload) VALUES ($1, $2)", [.integer(Int64(id)), .text(payload)])
            }
            return try connection.query("SELECT count(*), sum(length(payload)) FROM entries")
        }
        #expect(seen.integer(0, 0) == 5_000)
        let characters: Int64? = seen.integer(0, 1)
        #expect(characters == 1_500_000)
        #expect(try connection.query("SELECT count(*) FROM entries").integer(0, 0) == 5_000)

        var readFailed = false
        do {
            try connection.pipelinedTransaction {
                try connection.send("INSERT INTO entries (id, payload) VALUES (0, 'taken')")
                do {
                    _ = try connection.query("SELECT 1")
                } catch {
                    readFailed = (error as? PostgresError)?.sqlState == "23505"
                    throw error
                }
            }
        } catch {}
        #expect(readFailed, "the read reported the queued insert's unique violation")
        #expect(try connection.query("SELECT count(*) FROM entries").integer(0, 0) == 5_000)
    }

    @Test("a transaction paused between pipelined statements past the idle timeout is ended by the server, releasing its row locks", arguments: [false, true])
    func pausedTransactionIsEnded(readFirst: Bool) throws {
        let url = try TestPostgres.newDatabase()
        let setup = try PostgresConnection(url: url)
        try setup.execute("CREATE TABLE entries (id integer PRIMARY KEY, payload text NOT NULL)")
        try setup.execute("INSERT INTO entries VALUES (1, 'before')")
        // The paused transaction locks the row and then stops, as a stopped process would: after a read (which
        // waited for the server) or after statements it only queued, which the server received in bulk. It
        // runs on a thread of its own, started without the test runner's pool (which other tests may hold).
        let outcome = PausedOutcome()
        let pausedThread = DedicatedThread(name: "paused")
        let finished = DispatchGroup()
        pausedThread.async(group: finished) {
            do {
                let paused = try PostgresConnection(url: url, sessionSetup: "SET idle_in_transaction_session_timeout = '1s'; SET application_name = 'paused'")
                try paused.pipelinedTransaction {
                    try paused.send("UPDATE entries SET payload = 'paused' WHERE id = 1")
                    if readFirst {
                        _ = try paused.query("SELECT payload FROM entries WHERE id = 1")
                    } else {
                        for id in 2..<2_000 { try paused.send("INSERT INTO entries VALUES ($1, $2)", [.integer(Int64(id)), .text(String(repeating: "x", count: 100))]) }
                    }
                    Thread.sleep(forTimeInterval: 4)
                }
                outcome.committed.withLock { $0 = true }
            } catch {
                outcome.committed.withLock { $0 = false }
            }
        }
        defer { pausedThread.stop() }
        // Once the paused transaction holds the row, another session updates it: that waits for the row lock,
        // so it goes on only if the server ends the paused transaction.
        let other = try PostgresConnection(url: url)
        let deadline = Date().addingTimeInterval(30)
        var otherUpdated = false
        while Date() < deadline {
            if try other.query("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'paused' AND backend_xid IS NOT NULL").integer(0, 0) != 0 {
                try other.execute("UPDATE entries SET payload = 'other' WHERE id = 1")
                otherUpdated = true
                break
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        finished.wait()
        #expect(otherUpdated, "the paused transaction began")
        #expect(outcome.committed.withLock { $0 } == false, "the paused transaction did not commit")
        #expect(try setup.query("SELECT payload FROM entries WHERE id = 1").text(0, 0) == "other")
        #expect(try setup.query("SELECT count(*) FROM entries").integer(0, 0) == 1)
    }

    @Test("a text holding U+0000 is refused with an error of its own, alone or as a row of an array statement, and nothing of it is stored")
    func nullCharacterRefused() throws {
        let connection = try Self.connection()
        #expect {
            try connection.query("INSERT INTO entries (id, payload) VALUES (1, $1)", [.text("before\u{0}after")])
        } throws: { error in
            (error as? PostgresError)?.sqlState == "22021"
        }
        let insert = RowStatement(insert: "INSERT INTO entries (id, payload) SELECT * FROM unnest($1::integer[], $2::text[])", columns: 2)
        #expect {
            try connection.pipelinedTransaction {
                try connection.sendRow(insert, [.int(2), .text("fine")])
                try connection.sendRow(insert, [.int(3), .text("a\u{0}b")])
            }
        } throws: { error in
            (error as? PostgresError)?.sqlState == "22021"
        }
        #expect(try connection.query("SELECT count(*) FROM entries").integer(0, 0) == 0)
    }

    @Test("texts become an array literal PostgreSQL reads back unchanged, quotes and backslashes included")
    func arrayLiteral() throws {
        let connection = try Self.connection()
        let values = ["plain", "with,comma", "quote\"d", "back\\slash", "{brace}", "", "NULL", "空格 space"]
        let result = try connection.query("SELECT unnest($1::text[])", [.text(PostgresValue.arrayLiteral(values))])
        #expect((0..<result.rowCount).map { result.text($0, 0) } == values)
    }
}

/// What the paused transaction's thread found: whether it committed (nil until it is done).
private final class PausedOutcome: Sendable {
    let committed = Mutex<Bool?>(nil)
}
