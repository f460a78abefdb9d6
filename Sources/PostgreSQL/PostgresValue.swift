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

extension PostgresValue {
    /// Texts as one PostgreSQL array literal (each element quoted), for a `$n::text[]` parameter.
    public static func arrayLiteral(_ values: [String]) -> String {
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
            literal += "\""
            for character in value.unicodeScalars {
                if character == "\\" || character == "\"" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        }
        return literal + "}"
    }
}
