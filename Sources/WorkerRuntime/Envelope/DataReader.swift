/// Typed, validated access to the fields of an event's `data` object; every failure is a `DataError`
/// naming the field path. Unknown extra fields are ignored, as the contract says.
public struct DataReader: Sendable {
    public let object: JSONObject
    /// The path of this object (`data`, or `data.items[0]` for nested objects).
    public let path: String

    public init(_ object: JSONObject, path: String = "data") {
        self.object = object
        self.path = path
    }

    private func fieldPath(_ key: String) -> String { "\(path).\(key)" }

    private func fail(_ key: String, _ problem: String) -> DataError { DataError(path: fieldPath(key), problem: problem) }

    private func required(_ key: String) throws(DataError) -> JSONValue {
        guard let value = object[key], value != .null else { throw fail(key, "is required") }
        return value
    }

    /// Whether the field is present and not null.
    public func has(_ key: String) -> Bool {
        if let value = object[key], value != .null { return true }
        return false
    }

    /// A required string, optionally limited in length, counted in Unicode scalar values as JSON Schema's
    /// `maxLength` counts them (so a limit means the same to the schema and the worker).
    public func string(_ key: String, length: ClosedRange<Int>? = nil) throws(DataError) -> String {
        guard case .string(let text) = try required(key) else { throw fail(key, "must be a string") }
        if let length, !length.contains(text.unicodeScalars.count) {
            throw fail(key, "must be \(length.lowerBound)–\(length.upperBound) characters long")
        }
        return text
    }

    /// An optional string (absent or null gives nil).
    public func optionalString(_ key: String, length: ClosedRange<Int>? = nil) throws(DataError) -> String? {
        has(key) ? try string(key, length: length) : nil
    }

    /// A required identifier: 1–64 characters from `[A-Za-z0-9._:-]`.
    public func identifier(_ key: String) throws(DataError) -> String {
        let text = try string(key)
        guard FieldFormats.isIdentifier(text) else { throw fail(key, "must be 1–64 characters from [A-Za-z0-9._:-]") }
        return text
    }

    /// A required integer within a range.
    /// As in JSON Schema, a number with a zero fractional part (`1200.0`, `6e1`) is an integer; one beyond a
    /// signed 64-bit integer is not.
    public func integer(_ key: String, in range: ClosedRange<Int64> = Int64.min...Int64.max) throws(DataError) -> Int64 {
        let number: Int64
        switch try required(key) {
        case .integer(let value): number = value
        case .double(let value) where value == value.rounded() && value > -0x1p63 && value < 0x1p63: number = Int64(value)
        default: throw fail(key, "must be an integer")
        }
        guard range.contains(number) else { throw fail(key, "must be between \(range.lowerBound) and \(range.upperBound)") }
        return number
    }

    /// An optional integer within a range.
    public func optionalInteger(_ key: String, in range: ClosedRange<Int64> = Int64.min...Int64.max) throws(DataError) -> Int64? {
        has(key) ? try integer(key, in: range) : nil
    }

    /// A boolean, with a default when absent.
    public func bool(_ key: String, default defaultValue: Bool) throws(DataError) -> Bool {
        guard has(key) else { return defaultValue }
        guard case .bool(let flag) = try required(key) else { throw fail(key, "must be true or false") }
        return flag
    }

    /// A required `YYYY-MM-DD` date.
    public func date(_ key: String) throws(DataError) -> LocalDate {
        guard let date = LocalDate(iso: try string(key)) else { throw fail(key, "must be a real date as YYYY-MM-DD") }
        return date
    }

    /// A required RFC 3339 timestamp with an offset.
    public func instant(_ key: String) throws(DataError) -> Instant {
        guard let instant = Instant(rfc3339: try string(key)) else { throw fail(key, "must be an RFC 3339 timestamp with an offset") }
        return instant
    }

    /// A required string that is one of the listed values.
    public func oneOf(_ key: String, _ values: [String]) throws(DataError) -> String {
        let text = try string(key)
        guard values.contains(text) else { throw fail(key, "must be one of \(values.joined(separator: ", "))") }
        return text
    }

    /// A required list of strings, each checked by `element` (which may throw with the element's path).
    public func stringList(_ key: String, element: (String, String) throws(DataError) -> Void = { _, _ in }) throws(DataError) -> [String] {
        guard case .array(let values) = try required(key) else { throw fail(key, "must be a list of strings") }
        var result: [String] = []
        result.reserveCapacity(values.count)
        for (index, value) in values.enumerated() {
            let elementPath = "\(fieldPath(key))[\(index)]"
            guard case .string(let text) = value else { throw DataError(path: elementPath, problem: "must be a string") }
            try element(text, elementPath)
            result.append(text)
        }
        return result
    }

    /// A required PRC resident identity number; returns it with its birth date.
    public func residentIdentityNumber(_ key: String) throws(DataError) -> (number: String, birthDate: LocalDate) {
        let text = try string(key)
        guard let birth = FieldFormats.residentIdentityBirthDate(text) else {
            throw fail(key, "must be an 18-character resident identity number with a valid check character and birth date")
        }
        return (text, birth)
    }

    /// A required mobile number: 11 digits starting with 1.
    public func mobileNumber(_ key: String) throws(DataError) -> String {
        let text = try string(key)
        guard FieldFormats.isMobileNumber(text) else { throw fail(key, "must be an 11-digit mobile number starting with 1") }
        return text
    }
}
