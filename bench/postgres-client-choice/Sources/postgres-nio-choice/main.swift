import Foundation
import Logging
import PostgresNIO

// The same workload as libpq-choice through postgres-nio, from async code (its natural use).
@main
struct Choice {
    static func main() async throws {
        let url = CommandLine.arguments.dropFirst().first ?? ProcessInfo.processInfo.environment["WELFARE_TEST_POSTGRES_URL"] ?? ""
        // postgresql:///postgres?host=/tmp/dir&port=N&user=postgres
        let query = URLComponents(string: url)?.queryItems ?? []
        let host = query.first { $0.name == "host" }?.value ?? "/tmp"
        let port = query.first { $0.name == "port" }?.value ?? "5432"
        let config = PostgresConnection.Configuration(unixSocketPath: "\(host)/.s.PGSQL.\(port)", username: "postgres", password: nil, database: "postgres")
        let logger = Logger(label: "choice")
        let connection = try await PostgresConnection.connect(configuration: config, id: 1, logger: logger)
        let total = 100_000
        let batch = 5_000

        func measure(_ name: String, _ body: (Int) async throws -> Void) async throws {
            try await connection.query("DROP TABLE IF EXISTS t", logger: logger)
            try await connection.query("CREATE TABLE t (id text PRIMARY KEY, n bigint NOT NULL, payload text NOT NULL)", logger: logger)
            let start = ContinuousClock.now
            for b in 0..<(total / batch) { try await body(b) }
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("postgres-nio \(name): \(Int(Double(total) / seconds)) rows/s")
        }

        try await measure("round trip per row") { b in
            try await connection.query("BEGIN", logger: logger)
            for i in 0..<batch {
                let id = UUID().uuidString, n = b * batch + i, payload = "payload \(i)"
                try await connection.query("INSERT INTO t (id, n, payload) VALUES (\(id), \(n), \(payload))", logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        }

        try await measure("pipelined (queries in flight together)") { b in
            try await connection.query("BEGIN", logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<batch {
                    let id = UUID().uuidString, n = b * batch + i, payload = "payload \(i)"
                    group.addTask { try await connection.query("INSERT INTO t (id, n, payload) VALUES (\(id), \(n), \(payload))", logger: logger) }
                }
                try await group.waitForAll()
            }
            try await connection.query("COMMIT", logger: logger)
        }

        try await measure("one unnest statement per batch") { b in
            var ids: [String] = [], ns: [Int] = [], payloads: [String] = []
            for i in 0..<batch { ids.append(UUID().uuidString); ns.append(b * batch + i); payloads.append("payload \(i)") }
            try await connection.query("BEGIN", logger: logger)
            try await connection.query("INSERT INTO t (id, n, payload) SELECT * FROM unnest(\(ids)::text[], \(ns)::bigint[], \(payloads)::text[])", logger: logger)
            try await connection.query("COMMIT", logger: logger)
        }

        let start = ContinuousClock.now
        for _ in 0..<10_000 { try await connection.query("SELECT 1", logger: logger) }
        print("postgres-nio SELECT 1 round trip: \((ContinuousClock.now - start) / 10_000)")
        try await connection.close()
    }
}
