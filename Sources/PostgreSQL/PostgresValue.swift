/// A statement parameter: sent as text, but for bytes (binary, so `bytea` needs no escaping).
public enum PostgresValue: Sendable, Equatable {
    case null
    case text(String)
    case integer(Int64)
    case bytes([UInt8])

    public static func int(_ value: Int) -> PostgresValue { .integer(Int64(value)) }
    public static func optionalText(_ value: String?) -> PostgresValue { value.map(PostgresValue.text) ?? .null }
    public static func optionalInteger(_ value: Int64?) -> PostgresValue { value.map(PostgresValue.integer) ?? .null }
}
