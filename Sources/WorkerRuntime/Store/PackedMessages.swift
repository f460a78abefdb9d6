import Kafka

/// Messages to produce, packed into the bytes of one outbox row.
///
/// A batch writes its notifications and dead-letter copies as a few rows of many messages rather than a
/// row each: one B-tree insert per part instead of one per message. Each message is a flags byte (key,
/// value, partition present), then the topic, the key and the value as 32-bit little-endian lengths and
/// bytes, the partition, and the headers (a count, then name and optional value of each).
public struct PackedMessages: Sendable {
    /// The packed bytes.
    public private(set) var bytes: [UInt8] = []
    /// How many messages they hold.
    public private(set) var count = 0

    public init(reservingCapacity capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    public init(_ records: [ProducerRecord]) {
        for record in records { append(record) }
    }

    /// Adds one message at the end.
    public mutating func append(_ record: ProducerRecord) {
        let flags: UInt8 = (record.key == nil ? 0 : 1) | (record.value == nil ? 0 : 2) | (record.partition == nil ? 0 : 4)
        bytes.append(flags)
        appendField(Array(record.topic.utf8))
        if let key = record.key { appendField(key) }
        if let value = record.value { appendField(value) }
        if let partition = record.partition { appendLength(UInt32(bitPattern: partition)) }
        appendLength(UInt32(record.headers.count))
        for header in record.headers {
            appendField(Array(header.name.utf8))
            bytes.append(header.value == nil ? 0 : 1)
            if let value = header.value { appendField(value) }
        }
        count += 1
    }

    private mutating func appendField(_ field: [UInt8]) {
        appendLength(UInt32(field.count))
        bytes.append(contentsOf: field)
    }

    private mutating func appendLength(_ length: UInt32) {
        withUnsafeBytes(of: length.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// The messages packed in `bytes`, in order; `nil` when the bytes are not a whole packing.
    public static func unpack(_ bytes: [UInt8]) -> [ProducerRecord]? {
        var reader = Reader(bytes: bytes)
        var records: [ProducerRecord] = []
        while !reader.atEnd {
            guard let flags = reader.byte(), let topic = reader.field() else { return nil }
            let key = flags & 1 == 0 ? nil : reader.field()
            let value = flags & 2 == 0 ? nil : reader.field()
            let partition = flags & 4 == 0 ? nil : reader.length().map { Int32(bitPattern: $0) }
            guard (flags & 1 == 0) == (key == nil), (flags & 2 == 0) == (value == nil), (flags & 4 == 0) == (partition == nil),
                  let headerCount = reader.length(), Int(headerCount) <= bytes.count else { return nil }
            var headers: [KafkaHeader] = []
            for _ in 0..<headerCount {
                guard let name = reader.field(), let present = reader.byte() else { return nil }
                let headerValue = present == 0 ? nil : reader.field()
                guard (present == 0) == (headerValue == nil) else { return nil }
                headers.append(KafkaHeader(name: String(decoding: name, as: UTF8.self), value: headerValue))
            }
            records.append(ProducerRecord(topic: String(decoding: topic, as: UTF8.self), partition: partition, key: key, value: value, headers: headers))
        }
        return records
    }

    /// Reads packed bytes front to back; every read checks the bounds.
    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        var atEnd: Bool { position >= bytes.count }

        mutating func byte() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func length() -> UInt32? {
            guard bytes.count - position >= 4 else { return nil }
            var value: UInt32 = 0
            for shift in 0..<4 { value |= UInt32(bytes[position + shift]) << (8 * shift) }
            position += 4
            return value
        }

        mutating func field() -> [UInt8]? {
            guard let length = length().map(Int.init), bytes.count - position >= length else { return nil }
            defer { position += length }
            return Array(bytes[position..<position + length])
        }
    }
}
