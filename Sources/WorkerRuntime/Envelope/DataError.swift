/// A `data` field that breaks its contract: missing, of the wrong type, not one of its values, or out of
/// format. Becomes an `INVALID_DATA` dead letter whose detail names the field path.
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field path, e.g. `data.started_at` or `data.documents[2]`.
    public let path: String
    /// What is wrong, e.g. `must be an RFC 3339 timestamp with an offset`.
    public let problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
