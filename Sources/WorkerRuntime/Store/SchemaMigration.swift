/// One step of a domain's schema, written in the SQL of one store engine. Steps are applied once per store,
/// in the order the domain lists them, each in the transaction that records it; a shipped step never changes.
public struct SchemaMigration: Sendable, Equatable {
    /// The step's name, recorded in the store once applied (e.g. `volunteer-hours-v3-append-order`).
    public let identifier: String
    /// The statements, run as one script.
    public let sql: String

    public init(_ identifier: String, sql: String) {
        self.identifier = identifier
        self.sql = sql
    }
}
