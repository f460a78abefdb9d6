import PostgreSQL
import Testing
import WelfareTestSupport

/// Rows handed to `sendRow` inside a pipelined transaction go as one statement per kind of row, inserts
/// before updates, a later update of the same row replacing the earlier, and before any other statement.
@Suite("PostgreSQL statements over arrays", .timeLimit(.minutes(2)))
struct PostgresRowStatementTests {
    static let insertEntry = RowStatement(insert: """
        INSERT INTO entries (id, payload, digest, amount) SELECT * FROM unnest($1::integer[], $2::text[], $3::bytea[], $4::bigint[])
        """, columns: 4)
    static let updateAmount = RowStatement(update: """
        UPDATE entries SET amount = r.amount FROM unnest($1::integer[], $2::bigint[]) AS r(id, amount) WHERE entries.id = r.id
        """, columns: 2, key: 0)

    static func connection() throws -> PostgresConnection {
        let connection = try PostgresConnection(url: try TestPostgres.newDatabase())
        try connection.execute("CREATE TABLE entries (id integer PRIMARY KEY, payload text, digest bytea, amount bigint)")
        // Counts the statements that insert into `entries`, whatever their number of rows.
        try connection.execute("CREATE TABLE inserting_statements (at timestamptz)")
        try connection.execute("""
            CREATE FUNCTION count_statement() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN INSERT INTO inserting_statements VALUES (now()); RETURN NULL; END $$
            """)
        try connection.execute("CREATE TRIGGER counted AFTER INSERT ON entries FOR EACH STATEMENT EXECUTE FUNCTION count_statement()")
        return connection
    }

    @Test("rows wait for the commit and go as one statement; texts, bytes, NULLs and numbers arrive unchanged")
    func rowsGoTogether() throws {
        let connection = try Self.connection()
        try connection.pipelinedTransaction {
            for id in 0..<1_000 {
                try connection.sendRow(Self.insertEntry, [.int(id), id == 7 ? .null : .text("row \"\(id)\", \\ {x}"),
                                                          .bytes([0, 255, UInt8(id % 256)]), .integer(Int64(id) * 1_000_000_000_000)])
            }
        }
        #expect(try connection.query("SELECT count(*) FROM entries").integer(0, 0) == 1_000)
        #expect(try connection.query("SELECT count(*) FROM inserting_statements").integer(0, 0) == 1)
        #expect(try connection.query("SELECT payload FROM entries WHERE id = 42").text(0, 0) == "row \"42\", \\ {x}")
        #expect(try connection.query("SELECT payload IS NULL FROM entries WHERE id = 7").text(0, 0) == "t")
        #expect(try connection.query("SELECT digest FROM entries WHERE id = 300").bytes(0, 0) == [0, 255, 44])
        #expect(try connection.query("SELECT amount FROM entries WHERE id = 999").integer(0, 0) == 999_000_000_000_000)
    }

    @Test("an update of a row inserted later in the transaction finds it, and the last update of a row wins")
    func insertsBeforeUpdates() throws {
        let connection = try Self.connection()
        try connection.pipelinedTransaction {
            try connection.sendRow(Self.insertEntry, [.int(1), .text("old"), .null, .integer(1)])
        }
        try connection.pipelinedTransaction {
            try connection.sendRow(Self.updateAmount, [.int(1), .integer(10)])
            try connection.sendRow(Self.updateAmount, [.int(2), .integer(20)])
            try connection.sendRow(Self.insertEntry, [.int(2), .text("new"), .null, .integer(0)])
            try connection.sendRow(Self.updateAmount, [.int(1), .integer(11)])
        }
        let amounts = try connection.query("SELECT id, amount FROM entries ORDER BY id")
        #expect((0..<amounts.rowCount).map { amounts.integer($0, 1) } == [11, 20])
    }

    @Test("an upsert's rows for one key in one transaction leave the last of them, as one statement each would")
    func upsertKeepsLastRowOfKey() throws {
        let connection = try Self.connection()
        let upsert = RowStatement(upsert: """
            INSERT INTO entries (id, payload) SELECT * FROM unnest($1::integer[], $2::text[])
            ON CONFLICT (id) DO UPDATE SET payload = excluded.payload
            """, columns: 2, key: [0])
        try connection.pipelinedTransaction { try connection.sendRow(upsert, [.int(1), .text("stored")]) }
        try connection.pipelinedTransaction {
            try connection.sendRow(upsert, [.int(1), .text("first")])
            try connection.sendRow(upsert, [.int(2), .text("only")])
            try connection.sendRow(upsert, [.int(1), .text("last")])
        }
        let rows = try connection.query("SELECT payload FROM entries ORDER BY id")
        #expect((0..<rows.rowCount).map { rows.text($0, 0) } == ["last", "only"])
    }

    @Test("a read in the transaction sees the rows handed over before it")
    func readSeesWaitingRows() throws {
        let connection = try Self.connection()
        let seen = try connection.pipelinedTransaction {
            try connection.sendRow(Self.insertEntry, [.int(1), .text("a"), .null, .integer(5)])
            try connection.sendRow(Self.updateAmount, [.int(1), .integer(6)])
            return try connection.query("SELECT amount FROM entries WHERE id = 1").integer(0, 0)
        }
        #expect(seen == 6)
    }

    @Test("a row that breaks a constraint fails the transaction with its error and nothing of it stays")
    func failingRowRollsBack() throws {
        let connection = try Self.connection()
        #expect {
            try connection.pipelinedTransaction {
                try connection.sendRow(Self.insertEntry, [.int(1), .text("a"), .null, .null])
                try connection.sendRow(Self.insertEntry, [.int(1), .text("b"), .null, .null])
            }
        } throws: { error in
            (error as? PostgresError)?.sqlState == "23505"
        }
        #expect(try connection.query("SELECT count(*) FROM entries").integer(0, 0) == 0)
        try connection.pipelinedTransaction { try connection.sendRow(Self.insertEntry, [.int(2), .text("c"), .null, .null]) }
        #expect(try connection.query("SELECT payload FROM entries").text(0, 0) == "c")
    }

    @Test("outside a pipelined transaction a row goes at once")
    func rowOutsidePipelineGoesAtOnce() throws {
        let connection = try Self.connection()
        try connection.sendRow(Self.insertEntry, [.int(3), .text("now"), .null, .null])
        #expect(try connection.query("SELECT payload FROM entries WHERE id = 3").text(0, 0) == "now")
    }
}
