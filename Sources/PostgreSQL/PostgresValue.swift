/// A statement parameter: sent as text, but for bytes (binary, so `bytea` needs no escaping).
public enum PostgresValue: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)
    case bytes([UInt8])

    public static func int(_ value: Int) -> PostgresValue { .integer(Int64(value)) }
    public static func optionalText(_ value: String?) -> PostgresValue { value.map(PostgresValue.text) ?? .null }
    public static func optionalInteger(_ value: Int64?) -> PostgresValue { value.map(PostgresValue.integer) ?? .null }

    /// About how many bytes the value takes on the wire.
    var encodedSize: Int {
        switch self {
        case .null: 0
        case .text(let text): text.utf8.count
        case .integer: 20
        case .bytes(let bytes): bytes.count
        }
    }
}

extension PostgresValue {
    /// Values as one PostgreSQL array literal, for a `$n::text[]`, `$n::bigint[]`, `$n::bytea[]` (…) parameter.
    public static func arrayLiteral(_ values: some Sequence<PostgresValue>) -> String {
        var literal = "{"
        for (index, value) in values.enumerated() {
            if index > 0 { literal += "," }
            appendArrayElement(value, to: &literal)
        }
        return literal + "}"
    }

    /// Texts as one array literal (each element quoted), for a `$n::text[]` parameter.
    public static func arrayLiteral(_ texts: [String]) -> String { arrayLiteral(texts.lazy.map(PostgresValue.text)) }

    /// Numbers as one array literal, for a `$n::bigint[]` parameter.
    public static func arrayLiteral(_ numbers: [Int64]) -> String { arrayLiteral(numbers.lazy.map(PostgresValue.integer)) }

    /// Appends a value as an element of an array literal: NULL, a number, or quoted text (bytes as `\x` hex,
    /// which `bytea` reads).
    private static func appendArrayElement(_ value: PostgresValue, to literal: inout String) {
        switch value {
        case .null: literal += "NULL"
        case .integer(let number): literal += String(number)
        case .text(let text):
            literal += "\""
            for character in text.unicodeScalars {
                if character == "\\" || character == "\"" { literal += "\\" }
                literal.unicodeScalars.append(character)
            }
            literal += "\""
        case .bytes(let bytes):
            let digits = Array("0123456789abcdef".unicodeScalars)
            literal += "\"\\\\x"
            for byte in bytes {
                literal.unicodeScalars.append(digits[Int(byte >> 4)])
                literal.unicodeScalars.append(digits[Int(byte & 0x0f)])
            }
            literal += "\""
        }
    }
}
