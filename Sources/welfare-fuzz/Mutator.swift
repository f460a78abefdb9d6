import SampleStreams
import WorkerRuntime

/// Turns valid messages into broken ones, one seeded mutation each, of the kinds upstream bugs and hostile
/// input produce: bit flips, truncation, a field of another type, deep nesting, huge and negative numbers,
/// invalid UTF-8, duplicate keys, giant strings, and a few structured ones (no data, a numeric entity id).
struct Mutator {
    private var random: SeededRandom
    /// Nested arrays and giant strings, made once: building a megabyte string per message cost more than
    /// checking it.
    private let nestings = [63, 64, 65, 1_000, 100_000].map { String(repeating: "[", count: $0) + String(repeating: "]", count: $0) }
    private let giants = [1_000, 100_000, 1_048_577].map { "\"" + String(repeating: "蓉", count: $0 / 3) + "\"" }

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    /// The kinds of mutation, for the report.
    static let kinds = ["bit-flip", "truncate", "type-swap", "deep-nesting", "huge-number", "negative-number", "invalid-utf8",
                        "duplicate-key", "giant-string", "drop-field", "binary-mode", "unchanged"]

    mutating func mutate(_ value: [UInt8]) -> (kind: String, value: [UInt8], headers: [(String, [UInt8])]) {
        let kind = Self.kinds[Int(random.next() % UInt64(Self.kinds.count))]
        var bytes = value
        var headers: [(String, [UInt8])] = []
        switch kind {
        case "bit-flip":
            for _ in 0..<(1 + Int(random.next() % 4)) where !bytes.isEmpty {
                let index = Int(random.next() % UInt64(bytes.count))
                bytes[index] ^= UInt8(1 << (random.next() % 8))
            }
        case "truncate":
            bytes = Array(bytes.prefix(Int(random.next() % UInt64(max(1, bytes.count)))))
        case "type-swap":
            bytes = replaceValue(in: bytes, with: ["[]", "{}", "null", "true", "1.5", "\"x\"", "[1,{\"a\":2}]"][Int(random.next() % 7)])
        case "deep-nesting":
            bytes = replaceValue(in: bytes, with: nestings[Int(random.next() % UInt64(nestings.count))])
        case "huge-number":
            bytes = replaceValue(in: bytes, with: ["9223372036854775808", "1e400", "123456789012345678901234567890", "1e19", "9007199254740993"][Int(random.next() % 5)])
        case "negative-number":
            bytes = replaceValue(in: bytes, with: ["-1", "-9223372036854775808", "-0", "-1e-5"][Int(random.next() % 4)])
        case "invalid-utf8":
            let index = Int(random.next() % UInt64(max(1, bytes.count)))
            bytes.insert(contentsOf: [[0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]][Int(random.next() % 4)], at: min(index, bytes.count))
        case "duplicate-key":
            if let brace = bytes.firstIndex(of: UInt8(ascii: "{")) {
                bytes.insert(contentsOf: Array(#""id":"dup","specversion":"0.9","#.utf8), at: brace + 1)
            }
        case "giant-string":
            bytes = replaceValue(in: bytes, with: giants[Int(random.next() % UInt64(giants.count))])
        case "drop-field":
            bytes = replaceValue(in: bytes, with: nil)
        case "binary-mode":
            headers = [("ce_specversion", Array("1.0".utf8)), ("ce_id", random.next() % 2 == 0 ? [0xFF, 0xFE] : Array("b-1".utf8)),
                       ("content-type", Array((random.next() % 2 == 0 ? "text/plain" : "application/json").utf8))]
        default:
            break
        }
        return (kind, bytes, headers)
    }

    /// Replaces the value of one `"name":` member chosen at random (or removes the member when `text` is nil).
    private mutating func replaceValue(in bytes: [UInt8], with text: String?) -> [UInt8] {
        var colons: [Int] = []
        var inString = false
        var escaped = false
        for (index, byte) in bytes.enumerated() {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: ":") {
                colons.append(index)
            }
        }
        guard !colons.isEmpty else { return bytes }
        let colon = colons[Int(random.next() % UInt64(colons.count))]
        // The value runs to the next comma or closing bracket at its own depth.
        var depth = 0
        var end = colon + 1
        inString = false
        escaped = false
        while end < bytes.count {
            let byte = bytes[end]
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                if depth == 0 { break }
                depth -= 1
            } else if byte == UInt8(ascii: ",") && depth == 0 {
                break
            }
            end += 1
        }
        guard let text else {
            // Remove from the key's opening quote to the value's end.
            var keyStart = colon - 1
            while keyStart > 0 && bytes[keyStart] != UInt8(ascii: "\"") { keyStart -= 1 }
            keyStart -= 1
            while keyStart > 0 && bytes[keyStart] != UInt8(ascii: "\"") { keyStart -= 1 }
            var result = Array(bytes[..<keyStart]) + Array(bytes[end...])
            if let comma = result.indices.dropFirst(keyStart).first, comma < result.count, result[comma] == UInt8(ascii: ",") { result.remove(at: comma) }
            return result
        }
        return Array(bytes[...colon]) + Array(text.utf8) + Array(bytes[end...])
    }
}
