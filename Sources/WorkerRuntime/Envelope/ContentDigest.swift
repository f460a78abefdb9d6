import Crypto
import Kafka

/// What the duplicate rule compares when it asks whether a repeat is "byte-identical": the value bytes in
/// structured mode; the value bytes with the `ce_*` and `content-type` headers in binary mode (other
/// headers, such as tracing ones, may differ between re-sends). Kept as the first 16 bytes of a SHA-256.
public enum ContentDigest {
    public static func of(value: [UInt8]?, headers: [KafkaHeader]) -> [UInt8] {
        guard EnvelopeCheck.contentMode(of: headers) == .binary else {
            return Array(SHA256.hash(data: value ?? []).prefix(16))
        }
        var hasher = SHA256()
        hasher.update(data: Array("cloudevents-binary\u{0}".utf8))
        // Sorted by name, so that a re-send with the same headers in another order is still the same event.
        let attributes = headers
            .filter { $0.name.hasPrefix(EnvelopeCheck.attributeHeaderPrefix) || $0.name == EnvelopeCheck.contentTypeHeader }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        for header in attributes {
            append(Array(header.name.utf8), to: &hasher)
            if let bytes = header.value { append(bytes, to: &hasher) } else { hasher.update(data: [0xFF]) }
        }
        append(value ?? [], to: &hasher)
        return Array(hasher.finalize().prefix(16))
    }

    /// Length-prefixed, so that no two different header lists hash the same bytes.
    private static func append(_ bytes: [UInt8], to hasher: inout SHA256) {
        let count = UInt32(truncatingIfNeeded: bytes.count)
        hasher.update(data: [0x00, UInt8(count >> 24), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)])
        hasher.update(data: bytes)
    }
}
