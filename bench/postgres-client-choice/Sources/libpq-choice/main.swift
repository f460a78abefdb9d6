import CLibPQ
import Foundation

// The writer's workload: transactions of `batch` small inserts from one thread, three ways.
let url = CommandLine.arguments.dropFirst().first ?? ProcessInfo.processInfo.environment["WELFARE_TEST_POSTGRES_URL"] ?? ""
let total = 100_000
let batch = 5_000

guard let conn = PQconnectdb(url), PQstatus(conn) == CONNECTION_OK else { print("cannot connect"); exit(1) }

func exec(_ sql: String) {
    let result = PQexec(conn, sql)
    let status = PQresultStatus(result)
    if status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK { print(String(cString: PQerrorMessage(conn))); exit(1) }
    PQclear(result)
}

func execParams(_ sql: String, _ values: [String]) {
    let result = withParams(values) { PQexecParams(conn, sql, Int32(values.count), nil, $0, nil, nil, 0) }
    if PQresultStatus(result) != PGRES_COMMAND_OK { print(String(cString: PQerrorMessage(conn))); exit(1) }
    PQclear(result)
}

func withParams<R>(_ values: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
    let copies = values.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return copies.map { UnsafePointer($0) }.withUnsafeBufferPointer { body($0.baseAddress!) }
}

func measure(_ name: String, _ body: (Int) -> Void) {
    exec("DROP TABLE IF EXISTS t; CREATE TABLE t (id text PRIMARY KEY, n bigint NOT NULL, payload text NOT NULL)")
    let start = ContinuousClock.now
    for b in 0..<(total / batch) { body(b) }
    let seconds = Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
    print("libpq \(name): \(Int(Double(total) / seconds)) rows/s")
}

let insert = "INSERT INTO t (id, n, payload) VALUES ($1, $2, $3)"
measure("round trip per row") { b in
    exec("BEGIN")
    for i in 0..<batch { execParams(insert, ["\(UUID())", "\(b * batch + i)", "payload \(i)"]) }
    exec("COMMIT")
}

measure("pipeline, 1,000 rows per sync") { b in
    PQenterPipelineMode(conn)
    var pending = 0
    func drain() {
        var syncs = 0
        while syncs < 1 {
            guard let result = PQgetResult(conn) else { continue }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC { syncs += 1 } else if status != PGRES_COMMAND_OK { print(String(cString: PQresultErrorMessage(result))); exit(1) }
            PQclear(result)
        }
        pending = 0
    }
    PQsendQueryParams(conn, "BEGIN", 0, nil, nil, nil, nil, 0)
    for i in 0..<batch {
        _ = withParams(["\(UUID())", "\(b * batch + i)", "payload \(i)"]) { PQsendQueryParams(conn, insert, 3, nil, $0, nil, nil, 0) }
        pending += 1
        if pending == 1_000 { PQpipelineSync(conn); drain() }
    }
    PQsendQueryParams(conn, "COMMIT", 0, nil, nil, nil, nil, 0)
    PQpipelineSync(conn)
    drain()
    PQexitPipelineMode(conn)
}

measure("one unnest statement per batch") { b in
    var ids: [String] = [], ns: [String] = [], payloads: [String] = []
    for i in 0..<batch { ids.append("\(UUID())"); ns.append("\(b * batch + i)"); payloads.append("\"payload \(i)\"") }
    exec("BEGIN")
    execParams("INSERT INTO t (id, n, payload) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[])",
               ["{\(ids.joined(separator: ","))}", "{\(ns.joined(separator: ","))}", "{\(payloads.joined(separator: ","))}"])
    exec("COMMIT")
}

// Round-trip latency of one tiny statement.
let start = ContinuousClock.now
for _ in 0..<10_000 { exec("SELECT 1") }
print("libpq SELECT 1 round trip: \((ContinuousClock.now - start) / 10_000)")
PQfinish(conn)
