/// A problem an operations tool reports to its user; the message says what and where.
public struct OperationsError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
