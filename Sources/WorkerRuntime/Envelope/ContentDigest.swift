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
            hasher.updateFramed(Array(header.name.utf8))
            hasher.updateFramed(header.value)
        }
        hasher.updateFramed(value ?? [])
        return Array(hasher.finalize().prefix(16))
    }
}
