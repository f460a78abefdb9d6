import CLibPQ
#if canImport(Glibc)
import Glibc
#endif

/// One connection to PostgreSQL through Debian's libpq: blocking calls, for one thread at a time (a
/// worker's writer thread), statements prepared once per connection and text results read in place.
///
/// libpq rather than postgres-nio: the store seam is synchronous and runs on a dedicated writer thread,
/// which libpq's blocking calls and pipeline mode fit with no hop to an event loop per statement; the
/// measurement is in docs/PERFORMANCE.md ("Choosing the PostgreSQL client").
public final class PostgresConnection {
    private var handle: OpaquePointer?
    /// Statements prepared on this connection, by their SQL.
    private var prepared: [String: String] = [:]
    /// Where the connection goes, as an operator would name it (no password).
    public let location: String

    /// Statements run on every new session (e.g. `SET` of session settings), after a reconnect too.
    private let sessionSetup: String?
    /// Whether a pipelined transaction is open: `send` queues statements instead of waiting for each.
    private var pipelining = false
    /// Statements (and preparations) sent in pipeline mode whose results are still to be read.
    private var queued = 0
    /// Sync points sent in pipeline mode whose results are still to be read.
    private var unreadSyncs = 0
    /// About how many bytes of statements were queued since the last sync point.
    private var bytesSinceSync = 0
    /// Statements prepared inside the open pipeline, forgotten again if it fails.
    private var preparedInPipeline: [String] = []
    /// Statement names already used on this session: never reused, as a preparation that outlived a failed
    /// pipeline may still hold its name on the server.
    private var statementsNamed = 0
    /// Rows handed to `sendRow` that have not gone yet, by statement, and the statements in the order they came.
    private var waitingRows: [RowStatement: WaitingRows] = [:]
    private var waitingStatements: [RowStatement] = []

    /// Connects to a `postgresql://` URL (or a libpq key=value string). A password in it is refused: it
    /// comes from the environment (`PGPASSWORD`) or a password file (`PGPASSFILE`), never from a config.
    public init(url: String, sessionSetup: String? = nil) throws(PostgresError) {
        self.sessionSetup = sessionSetup
        try Self.refusePassword(in: url)
        guard let handle = PQconnectdb(url) else { throw PostgresError(sqlState: nil, message: "libpq could not allocate a connection") }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(sqlState: nil, message: message)
        }
        self.handle = handle
        let host = PQhost(handle).map { String(cString: $0) } ?? ""
        let port = PQport(handle).map { String(cString: $0) } ?? ""
        let database = PQdb(handle).map { String(cString: $0) } ?? ""
        let user = PQuser(handle).map { String(cString: $0) } ?? ""
        location = "postgresql://\(user)@\(host.hasPrefix("/") ? "[\(host)]" : host):\(port)/\(database)"
        // The server's notices (e.g. "relation already exists, skipping") are not the worker's log lines.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        if let sessionSetup { try execute(sessionSetup) }
    }

    deinit { close() }

    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
    }

    /// True when `text` names a PostgreSQL store rather than a file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// Whether the connection still works; after a failure, `reconnect` makes it work again.
    public var isBroken: Bool { handle.map { PQstatus($0) != CONNECTION_OK } ?? true }

    /// Connects again with the same parameters (statements are prepared anew).
    public func reconnect() throws(PostgresError) {
        guard let handle else { throw PostgresError(sqlState: nil, message: "connection closed") }
        prepared = [:]
        statementsNamed = 0
        PQreset(handle)
        guard PQstatus(handle) == CONNECTION_OK else { throw PostgresError(sqlState: nil, message: Self.trimmed(PQerrorMessage(handle))) }
        if let sessionSetup { try execute(sessionSetup) }
    }

    /// Runs one or more statements without parameters (the simple protocol), e.g. a migration script; inside
    /// a pipelined transaction, one statement.
    public func execute(_ sql: String) throws(PostgresError) {
        // Pipeline mode takes the extended protocol only: one statement, through `query`.
        if pipelining {
            try query(sql)
            return
        }
        let handle = try open()
        var failure: PostgresError?
        guard PQsendQuery(handle, sql) == 1 else { throw connectionError() }
        while let result = PQgetResult(handle) {
            if failure == nil { failure = Self.failure(of: result) }
            PQclear(result)
        }
        if let failure { throw failure }
    }

    /// Runs one statement with parameters (`$1`, `$2`, …), prepared on first use, and returns its result.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresResult {
        let handle = try open()
        if pipelining {
            try sendWaitingRows()
            return try queryPipelined(sql, parameters, on: handle)
        }
        let name = try statementName(for: sql, parameterCount: parameters.count, on: handle)
        return try checked(try ParameterBuffer(parameters).withPointers { values, lengths, formats in
            PQexecPrepared(handle, name, Int32(parameters.count), values, lengths, formats, 0)
        })
    }

    /// Runs one statement planned for its parameters each time, not prepared: for a query whose best plan
    /// depends on them or on a table that grows fast (a generic plan made while the table was empty scans it).
    @discardableResult
    public func queryPlannedEachTime(_ sql: String, _ parameters: [PostgresValue]) throws(PostgresError) -> PostgresResult {
        let handle = try open()
        if pipelining {
            try sendWaitingRows()
            try sendPlannedEachTime(sql, parameters, on: handle)
            return try readLastQueued(on: handle)
        }
        return try checked(try ParameterBuffer(parameters).withPointers { values, lengths, formats in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, lengths, formats, 0)
        })
    }

    /// Runs a statement whose result the caller does not need (an insert, an update). Inside a pipelined
    /// transaction it is queued: its failure surfaces at the next `query` or at the commit, and fails the
    /// transaction either way. Elsewhere it runs at once.
    public func send(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) {
        guard pipelining else {
            try query(sql, parameters)
            return
        }
        try sendWaitingRows()
        try sendPipelined(sql, parameters)
    }

    /// Hands over one row of a statement over arrays. Inside a pipelined transaction it waits with the
    /// statement's other rows until any other statement (a `send`, a `query`) or the commit, when each
    /// statement goes once with all its rows: inserts first, then updates, each kind in the order its first
    /// row came. A failure fails the transaction, as with `send`. Elsewhere the row goes at once.
    public func sendRow(_ statement: RowStatement, _ values: [PostgresValue]) throws(PostgresError) {
        if waitingRows[statement] == nil { waitingStatements.append(statement) }
        waitingRows[statement, default: WaitingRows()].add(values, key: statement.key)
        if !pipelining { try sendWaitingRows() }
    }

    /// Sends the rows waiting for their statements (queued when pipelining, run at once otherwise).
    private func sendWaitingRows() throws(PostgresError) {
        guard !waitingStatements.isEmpty else { return }
        let statements = waitingStatements.enumerated().sorted { ($0.element.kind, $0.offset) < ($1.element.kind, $1.offset) }.map(\.element)
        let rows = waitingRows
        waitingStatements = []
        waitingRows = [:]
        for statement in statements {
            guard let waiting = rows[statement] else { continue }
            let parameters = waiting.parameters(columns: statement.columns)
            if statement.kind == .insert {
                if pipelining { try sendPipelined(statement.sql, parameters) } else { try query(statement.sql, parameters) }
            } else if pipelining {
                // An update is planned for its rows each time: a plan made for an unknown number of rows may
                // join them to a scan of the whole table.
                try sendPlannedEachTime(statement.sql, parameters, on: try open())
            } else {
                try queryPlannedEachTime(statement.sql, parameters)
            }
        }
    }

    /// Queues a statement that is planned for its parameters, not prepared.
    private func sendPlannedEachTime(_ sql: String, _ parameters: [PostgresValue], on handle: OpaquePointer) throws(PostgresError) {
        let sent = try ParameterBuffer(parameters).withPointers { values, lengths, formats in
            PQsendQueryParams(handle, sql, Int32(parameters.count), nil, values, lengths, formats, 0)
        }
        guard sent == 1 else { throw connectionError() }
        queued += 1
        try syncIfLarge(sql, parameters, on: handle)
    }

    /// Queues a prepared statement's execution (preparing it first when new to the connection).
    private func sendPipelined(_ sql: String, _ parameters: [PostgresValue]) throws(PostgresError) {
        let handle = try open()
        let name: String
        if let known = prepared[sql] {
            name = known
        } else {
            name = nextStatementName()
            guard PQsendPrepare(handle, name, sql, Int32(parameters.count), nil) == 1 else { throw connectionError() }
            queued += 1
            prepared[sql] = name
            preparedInPipeline.append(sql)
        }
        let sent = try ParameterBuffer(parameters).withPointers { values, lengths, formats in
            PQsendQueryPrepared(handle, name, Int32(parameters.count), values, lengths, formats, 0)
        }
        guard sent == 1 else { throw connectionError() }
        queued += 1
        if queued >= Self.queueLimit {
            // Results are read before too many pile up: a server blocked on writing them to a client that is
            // blocked on sending more statements would never answer.
            try sync(on: handle)
            if let failure = readQueued(queued, on: handle) { throw failure }
        } else {
            try syncIfLarge(sql, parameters, on: handle)
        }
    }

    /// Ends what the server has been sent with a sync point, and sends it. The transaction stays open, but
    /// the server now waits for the next statement as a session idle in a transaction, which
    /// `idle_in_transaction_session_timeout` ends: without a sync point, a client that stopped between
    /// statements (a paused process, a stalled machine) would hold its row locks for as long as it is stopped.
    private func sync(on handle: OpaquePointer) throws(PostgresError) {
        guard PQpipelineSync(handle) == 1 else { throw connectionError() }
        unreadSyncs += 1
        bytesSinceSync = 0
    }

    /// Sends a sync point once the statements queued since the last one come near the size at which libpq
    /// sends its buffer by itself, so that what reaches the server always ends with one.
    private func syncIfLarge(_ sql: String, _ parameters: [PostgresValue], on handle: OpaquePointer) throws(PostgresError) {
        bytesSinceSync += 32 + sql.utf8.count + parameters.reduce(0) { $0 + 4 + $1.encodedSize }
        if bytesSinceSync >= Self.syncAfterBytes { try sync(on: handle) }
    }

    /// libpq sends a pipeline's buffer by itself from 64 KiB on; a sync point goes well before.
    static let syncAfterBytes = 16 * 1024

    /// The most statements queued in a pipeline before their results are read.
    static let queueLimit = 256

    /// Reads the results of the statements queued so far (up to `count` of them), and returns the first failure.
    private func readQueued(_ count: Int, on handle: OpaquePointer) -> PostgresError? {
        var failure: PostgresError?
        for _ in 0..<count {
            guard let result = nextStatementResult(on: handle) else { return failure ?? connectionError() }
            if failure == nil { failure = Self.failure(of: result) }
            PQclear(result)
            // Each statement's results end with a null.
            while let extra = PQgetResult(handle) { PQclear(extra) }
            queued -= 1
        }
        return failure
    }

    /// The next statement's first result, past the results of sync points (which come with no null after them).
    private func nextStatementResult(on handle: OpaquePointer) -> OpaquePointer? {
        while let result = PQgetResult(handle) {
            guard PQresultStatus(result) == PGRES_PIPELINE_SYNC else { return result }
            PQclear(result)
            unreadSyncs -= 1
        }
        return nil
    }

    /// A query inside a pipelined transaction: queued after what was sent, then every result read in order.
    private func queryPipelined(_ sql: String, _ parameters: [PostgresValue], on handle: OpaquePointer) throws(PostgresError) -> PostgresResult {
        try sendPipelined(sql, parameters)
        return try readLastQueued(on: handle)
    }

    /// Has the server send what it holds, reads the results queued before the last statement (throwing
    /// the first failure among them), then returns the last statement's own result.
    private func readLastQueued(on handle: OpaquePointer) throws(PostgresError) -> PostgresResult {
        try sync(on: handle)
        if let failure = readQueued(queued - 1, on: handle) { throw failure }
        let result = nextStatementResult(on: handle)
        if result != nil {
            while let extra = PQgetResult(handle) { PQclear(extra) }
            queued -= 1
        }
        return try checked(result)
    }

    /// A statement's result, or its failure thrown (and the result freed).
    private func checked(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let result else { throw connectionError() }
        if let failure = Self.failure(of: result) {
            PQclear(result)
            throw failure
        }
        return PostgresResult(result)
    }

    /// Runs `body` in a transaction in pipeline mode: what it `send`s is queued without waiting, and each
    /// `query` reads the queued results on its way. The commit goes with the last of them: one round trip.
    /// Committed when `body` returns and every statement succeeded, rolled back otherwise.
    public func pipelinedTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try execute("BEGIN")
        let handle = try open()
        guard PQenterPipelineMode(handle) == 1 else {
            try? execute("ROLLBACK")
            throw connectionError()
        }
        pipelining = true
        queued = 0
        unreadSyncs = 0
        bytesSinceSync = 0
        preparedInPipeline = []
        do {
            let result = try body()
            try sendWaitingRows()
            guard PQsendQueryParams(handle, "COMMIT", 0, nil, nil, nil, nil, 0) == 1 else { throw connectionError() }
            queued += 1
            if let failure = endPipeline(on: handle) { throw failure }
            return result
        } catch {
            waitingStatements = []
            waitingRows = [:]
            if pipelining { _ = endPipeline(on: handle) }
            for sql in preparedInPipeline { prepared[sql] = nil }
            if !isBroken { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Reads every queued result up to a sync point and leaves pipeline mode; returns the first failure.
    private func endPipeline(on handle: OpaquePointer) -> PostgresError? {
        defer { pipelining = false; queued = 0; unreadSyncs = 0 }
        do { try sync(on: handle) } catch { return error }
        let failure = readQueued(queued, on: handle)
        // The sync points' own results.
        while unreadSyncs > 0, let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_PIPELINE_SYNC { unreadSyncs -= 1 }
            PQclear(result)
        }
        guard PQexitPipelineMode(handle) == 1 else { return failure ?? connectionError() }
        return failure
    }

    /// Loads rows with `COPY … FROM STDIN` (text format), e.g. `COPY t (a, b) FROM STDIN`: the fast path for
    /// moving a whole table. Each row's values are in the statement's column order.
    public func copyIn(_ sql: String, rows: some Sequence<[PostgresValue]>) throws(PostgresError) {
        let handle = try open()
        guard let started = PQexec(handle, sql) else { throw connectionError() }
        let status = PQresultStatus(started)
        let failure = Self.failure(of: started)
        PQclear(started)
        guard status == PGRES_COPY_IN else { throw failure ?? PostgresError(sqlState: nil, message: "COPY did not start") }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        func flush() throws(PostgresError) {
            guard !buffer.isEmpty else { return }
            let sent = buffer.withUnsafeBufferPointer { bytes in
                bytes.baseAddress.map { PQputCopyData(handle, UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self), Int32(bytes.count)) } ?? 1
            }
            guard sent == 1 else { throw connectionError() }
            buffer.removeAll(keepingCapacity: true)
        }
        for row in rows {
            for (index, value) in row.enumerated() {
                if index > 0 { buffer.append(UInt8(ascii: "\t")) }
                Self.appendCopyText(value, to: &buffer)
            }
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 1 << 20 { try flush() }
        }
        try flush()
        guard PQputCopyEnd(handle, nil) == 1 else { throw connectionError() }
        var copyFailure: PostgresError?
        while let result = PQgetResult(handle) {
            if copyFailure == nil { copyFailure = Self.failure(of: result) }
            PQclear(result)
        }
        if let copyFailure { throw copyFailure }
    }

    /// One value in COPY's text format: `\N` for null, backslash escapes, bytea as escaped hex.
    static func appendCopyText(_ value: PostgresValue, to buffer: inout [UInt8]) {
        switch value {
        case .null:
            buffer += [UInt8(ascii: "\\"), UInt8(ascii: "N")]
        case .integer(let number):
            buffer += String(number).utf8
        case .bytes(let bytes):
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            buffer += [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")]
            for byte in bytes { buffer += [hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]] }
        case .text(let text):
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case UInt8(ascii: "\t"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case UInt8(ascii: "\n"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case UInt8(ascii: "\r"): buffer += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                default: buffer.append(byte)
                }
            }
        }
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    public func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            if !isBroken { try? execute("ROLLBACK") }
            throw error
        }
    }

    private func open() throws(PostgresError) -> OpaquePointer {
        guard let handle else { throw PostgresError(sqlState: nil, message: "connection closed") }
        return handle
    }

    private func nextStatementName() -> String {
        statementsNamed += 1
        return "s\(statementsNamed)"
    }

    private func statementName(for sql: String, parameterCount: Int, on handle: OpaquePointer) throws(PostgresError) -> String {
        if let name = prepared[sql] { return name }
        let name = nextStatementName()
        guard let result = PQprepare(handle, name, sql, Int32(parameterCount), nil) else { throw connectionError() }
        defer { PQclear(result) }
        if let failure = Self.failure(of: result) { throw failure }
        prepared[sql] = name
        return name
    }

    private func connectionError() -> PostgresError {
        PostgresError(sqlState: nil, message: handle.map { Self.trimmed(PQerrorMessage($0)) } ?? "connection closed")
    }

    private static func failure(of result: OpaquePointer) -> PostgresError? {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_COPY_IN, PGRES_COPY_OUT: return nil
        default:
            let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            return PostgresError(sqlState: state, message: trimmed(PQresultErrorMessage(result)))
        }
    }

    private static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        var text = String(cString: message)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    /// Throws if the connection string carries a password.
    static func refusePassword(in url: String) throws(PostgresError) {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(url, &message) else {
            let text = trimmed(message)
            PQfreemem(message)
            throw PostgresError(sqlState: nil, message: "not a PostgreSQL connection string: \(text)")
        }
        defer { PQconninfoFree(options) }
        var option = options
        while let keyword = option.pointee.keyword {
            if String(cString: keyword) == "password", option.pointee.val != nil {
                throw PostgresError(sqlState: nil, message: "a PostgreSQL store URL must not carry a password: set PGPASSWORD or PGPASSFILE in the worker's environment")
            }
            option += 1
        }
    }
}

/// A statement's parameters laid out for libpq: one buffer of NUL-terminated texts and raw bytes, with
/// pointers, lengths and formats (text 0, binary 1) for each.
private struct ParameterBuffer {
    var storage: [UInt8] = []
    var offsets: [Int?] = []
    var lengths: [Int32] = []
    var formats: [Int32] = []

    /// Throws for a text holding U+0000: PostgreSQL's text cannot hold it, and libpq would cut the value
    /// short there, storing something else than it was given.
    init(_ parameters: [PostgresValue]) throws(PostgresError) {
        for parameter in parameters {
            switch parameter {
            case .null:
                offsets.append(nil); lengths.append(0); formats.append(0)
            case .text(let text):
                let start = storage.count
                storage += text.utf8
                let holdsNull = storage.withUnsafeBufferPointer { bytes in
                    bytes.baseAddress.map { memchr($0 + start, 0, bytes.count - start) != nil } ?? false
                }
                guard !holdsNull else { throw PostgresError(sqlState: "22021", message: "a text value holds the character U+0000, which PostgreSQL cannot store") }
                offsets.append(start); storage.append(0)
                lengths.append(0); formats.append(0)
            case .integer(let value):
                offsets.append(storage.count); storage += String(value).utf8; storage.append(0)
                lengths.append(0); formats.append(0)
            case .bytes(let bytes):
                offsets.append(storage.count); storage += bytes; storage.append(0)
                lengths.append(Int32(bytes.count)); formats.append(1)
            }
        }
    }

    func withPointers<R>(_ body: (UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> R) -> R {
        storage.withUnsafeBufferPointer { bytes in
            let base = bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in offset.flatMap { base?.advanced(by: $0) } }
            return pointers.withUnsafeBufferPointer { values in
                lengths.withUnsafeBufferPointer { lengths in
                    formats.withUnsafeBufferPointer { formats in body(values.baseAddress, lengths.baseAddress, formats.baseAddress) }
                }
            }
        }
    }
}
