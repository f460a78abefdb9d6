/// A librdkafka pointer that may cross threads: librdkafka's handles are thread-safe where this binding
/// shares them, and the binding never hands one out.
struct NativeHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

/// Reads a C error buffer filled by librdkafka.
func text(ofCBuffer buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
