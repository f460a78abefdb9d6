import Foundation
import PostgreSQL

/// Databases in the throwaway PostgreSQL cluster that the test command starts (`ops/test-postgres.sh`, run
/// by `make test`): each test takes a new, empty database of its own, so tests run in parallel.
public enum TestPostgres {
    /// The cluster's URL from the test command.
    public static func clusterURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["WELFARE_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw TestFailure("no test PostgreSQL: run the tests through ops/test-postgres.sh (make test does), e.g. ops/test-postgres.sh swift test --skip-build")
        }
        return url
    }

    /// A new empty database; its URL.
    public static func newDatabase() throws -> String {
        let cluster = try clusterURL()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try PostgresConnection(url: cluster)
        try admin.execute("CREATE DATABASE \(name)")
        admin.close()
        return url(cluster, database: name)
    }

    /// `cluster` with its database replaced by `database`.
    static func url(_ cluster: String, database: String) -> String {
        guard var components = URLComponents(string: cluster) else { return cluster }
        components.path = "/" + database
        return components.string ?? cluster
    }
}
