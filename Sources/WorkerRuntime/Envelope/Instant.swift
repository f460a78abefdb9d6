/// A point in time read from an RFC 3339 timestamp with an offset, remembering the text as given
/// (times are shown to people as the events gave them).
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public let epochMicroseconds: Int64
    /// The offset from UTC the text carried, in seconds.
    public let utcOffsetSeconds: Int32
    /// The timestamp exactly as given.
    public let text: String

    public init(epochMicroseconds: Int64, utcOffsetSeconds: Int32, text: String) {
        self.epochMicroseconds = epochMicroseconds
        self.utcOffsetSeconds = utcOffsetSeconds
        self.text = text
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` (RFC 3339 section 5.6, `t`/`z` accepted in lower
    /// case). Returns nil for anything else, including a missing offset or an impossible date.
    public init?(rfc3339 text: String) {
        var text = text
        guard let parsed = text.withUTF8({ Instant.parse($0) }) else { return nil }
        self.init(epochMicroseconds: parsed.micros, utcOffsetSeconds: parsed.offset, text: text)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.epochMicroseconds < rhs.epochMicroseconds }

    public static func == (lhs: Instant, rhs: Instant) -> Bool { lhs.epochMicroseconds == rhs.epochMicroseconds }

    public func hash(into hasher: inout Hasher) { hasher.combine(epochMicroseconds) }

    public var description: String { text }

    /// Whole seconds since the epoch (rounded down).
    public var epochSeconds: Int64 { epochMicroseconds >= 0 ? epochMicroseconds / 1_000_000 : (epochMicroseconds - 999_999) / 1_000_000 }

    private static func parse(_ b: UnsafeBufferPointer<UInt8>) -> (micros: Int64, offset: Int32)? {
        guard b.count >= 20 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int? {
            var value = 0
            for i in start..<(start + count) {
                let d = Int(b[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                value = value * 10 + d
            }
            return value
        }
        guard let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
              b[10] == 84 || b[10] == 116,
              let hour = digits(11, 2), b[13] == 58, let minute = digits(14, 2), b[16] == 58, let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 else { return nil }
        var index = 19
        var micros = 0
        if b[index] == 46 {  // '.'
            index += 1
            var scale = 100_000
            let fractionStart = index
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                micros += Int(b[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > fractionStart else { return nil }
        }
        guard index < b.count else { return nil }
        var offset = 0
        if b[index] == 90 || b[index] == 122 {  // Z
            index += 1
        } else if b[index] == 43 || b[index] == 45 {  // + or -
            guard index + 6 == b.count, let offsetHours = digits(index + 1, 2), b[index + 3] == 58,
                  let offsetMinutes = digits(index + 4, 2), offsetHours <= 23, offsetMinutes <= 59 else { return nil }
            offset = (offsetHours * 3600 + offsetMinutes * 60) * (b[index] == 45 ? -1 : 1)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        let days = LocalDate.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        return (seconds * 1_000_000 + Int64(micros), Int32(offset))
    }
}
