import Kafka

/// The envelope checks of the contract, in its order: size, JSON, CloudEvents attributes, specversion;
/// for messages in structured content mode (the value is the whole event) and in binary content mode
/// (the attributes are `ce_*` headers and the value is `data`), with the same outcomes.
public enum EnvelopeCheck {
    /// The largest value accepted: 1 MiB (exactly that many bytes is accepted).
    public static let maximumValueBytes = 1_048_576

    /// The result of checking one message.
    public enum Result: Sendable {
        case event(CloudEvent)
        /// The message is dead-lettered; `eventID` is the `id` attribute when it could be read as a non-empty string.
        case deadLetter(DeadLetterReason, detail: String, eventID: String?)
    }

    /// The two content modes of the CloudEvents Kafka protocol binding.
    public enum ContentMode: Sendable, Equatable {
        /// The value is the whole event as a JSON object.
        case structured
        /// The attributes are `ce_<name>` headers, `content-type` is `datacontenttype`, the value is `data`.
        case binary
    }

    /// The header that carries `datacontenttype` in binary mode and the event format in structured mode.
    public static let contentTypeHeader = "content-type"
    /// The prefix of an attribute header in binary mode.
    public static let attributeHeaderPrefix = "ce_"

    /// The mode, as the binding says: a `content-type` starting with `application/cloudevents` is structured;
    /// otherwise a `ce_specversion` header means binary; otherwise structured. The first `content-type` decides.
    public static func contentMode(of headers: [KafkaHeader]) -> ContentMode {
        // Most messages carry no headers at all: no work for them.
        if headers.isEmpty { return .structured }
        if let contentType = headers.first(where: { $0.name == contentTypeHeader }), let bytes = contentType.value,
           hasCaseInsensitivePrefix(bytes, "application/cloudevents") {
            return .structured
        }
        return headers.contains { $0.name == "ce_specversion" } ? .binary : .structured
    }

    /// Checks one message in whichever content mode its headers say.
    public static func check(_ value: [UInt8]?, headers: [KafkaHeader] = []) -> Result {
        switch contentMode(of: headers) {
        case .structured: checkStructured(value)
        case .binary: checkBinary(value, headers: headers)
        }
    }

    /// The value is checked for size and JSON first in both modes: the contract's first two reasons.
    private static func parseValue(_ value: [UInt8]?) -> Swift.Result<JSONValue, EnvelopeFailure> {
        guard let value, !value.isEmpty else { return .failure(EnvelopeFailure(.malformedJSON, "the message value is empty")) }
        guard value.count <= maximumValueBytes else {
            return .failure(EnvelopeFailure(.tooLarge, "the value is \(value.count) bytes; at most \(maximumValueBytes) are accepted"))
        }
        do {
            return .success(try JSONParser.parse(value))
        } catch {
            return .failure(EnvelopeFailure(.malformedJSON, error.description))
        }
    }

    private static func checkStructured(_ value: [UInt8]?) -> Result {
        let parsed: JSONValue
        switch parseValue(value) {
        case .failure(let failure): return .deadLetter(failure.reason, detail: failure.detail, eventID: nil)
        case .success(let json): parsed = json
        }
        guard case .object(let object) = parsed else {
            return .deadLetter(.notCloudEvent, detail: "the value is a JSON \(parsed.typeName), not an object", eventID: nil)
        }
        let readableID = object["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var attributes: [String] = []
        for name in requiredAttributes {
            guard let attribute = object[name] else { return .deadLetter(.notCloudEvent, detail: "required attribute \(name) is missing", eventID: readableID) }
            guard case .string(let text) = attribute else { return .deadLetter(.notCloudEvent, detail: "attribute \(name) must be a string", eventID: readableID) }
            attributes.append(text)
        }
        let contentType: String??
        switch object["datacontenttype"] {
        case nil: contentType = .none
        case .string(let text)?: contentType = .some(text)
        case _?: contentType = .some(nil)
        }
        return validate(attributes, data: object["data"], dataLocation: "attribute data", contentType: contentType, readableID: readableID)
    }

    private static func checkBinary(_ value: [UInt8]?, headers: [KafkaHeader]) -> Result {
        let parsed: JSONValue
        switch parseValue(value) {
        case .failure(let failure): return .deadLetter(failure.reason, detail: failure.detail, eventID: nil)
        case .success(let json): parsed = json
        }
        // The attribute headers as text, each name once.
        var texts: [String: String?] = [:]
        var undecodable: String?
        var repeated: String?
        for header in headers where header.name.hasPrefix(attributeHeaderPrefix) || header.name == contentTypeHeader {
            let text = header.value.flatMap { String(validating: $0, as: UTF8.self) }
            if header.value != nil && text == nil { undecodable = undecodable ?? header.name }
            if texts[header.name] != nil { repeated = repeated ?? header.name; continue }
            texts[header.name] = .some(text)
        }
        let readableID = texts["ce_id"].flatMap { $0 }.flatMap { $0.isEmpty ? nil : $0 }
        if let undecodable { return .deadLetter(.notCloudEvent, detail: "header \(undecodable) is not valid UTF-8", eventID: readableID) }
        if let repeated { return .deadLetter(.notCloudEvent, detail: "header \(repeated) appears more than once", eventID: readableID) }
        var attributes: [String] = []
        for name in requiredAttributes {
            guard let text = texts[attributeHeaderPrefix + name] else {
                return .deadLetter(.notCloudEvent, detail: "required attribute \(name) is missing (header \(attributeHeaderPrefix)\(name))", eventID: readableID)
            }
            guard let text else { return .deadLetter(.notCloudEvent, detail: "header \(attributeHeaderPrefix)\(name) has no value", eventID: readableID) }
            attributes.append(text)
        }
        let contentType: String?? = texts[contentTypeHeader].map { $0 }
        return validate(attributes, data: parsed, dataLocation: "the value (data)", contentType: contentType, readableID: readableID)
    }

    /// The attributes every event needs as strings, in the order they are checked.
    private static let requiredAttributes = ["specversion", "id", "source", "type", "time", "subject"]

    /// The checks both modes share once the attributes are read as text. `contentType` is absent (`.none`),
    /// present but not text (`.some(nil)`), or the media type.
    private static func validate(_ attributes: [String], data: JSONValue?, dataLocation: String, contentType: String??, readableID: String?) -> Result {
        func notCloudEvent(_ detail: String) -> Result { .deadLetter(.notCloudEvent, detail: detail, eventID: readableID) }
        let (specVersion, id, source, type, timeText, subject) = (attributes[0], attributes[1], attributes[2], attributes[3], attributes[4], attributes[5])
        guard !id.isEmpty, id.unicodeScalars.count <= 128 else { return notCloudEvent("attribute id must be 1–128 characters") }
        guard isURIReference(source) else { return notCloudEvent("attribute source must be a non-empty URI reference") }
        guard !type.isEmpty else { return notCloudEvent("attribute type must not be empty") }
        guard let time = Instant(rfc3339: timeText) else { return notCloudEvent("attribute time must be an RFC 3339 timestamp with an offset") }
        guard let data else { return notCloudEvent("required attribute data is missing") }
        guard case .object(let dataObject) = data else { return notCloudEvent("\(dataLocation) must be a JSON object") }
        if case .some(let mediaType) = contentType {
            guard let mediaType, isJSONMediaType(mediaType) else { return notCloudEvent("attribute datacontenttype must be application/json") }
        }
        guard specVersion == "1.0" else {
            return .deadLetter(.unsupportedSpecVersion, detail: "specversion \(specVersion) is not supported; use 1.0", eventID: id)
        }
        return .event(CloudEvent(id: id, source: source, type: type, time: time, subject: subject, data: dataObject))
    }

    /// `application/json`, any case, optionally with parameters (`; charset=utf-8`).
    static func isJSONMediaType(_ text: String) -> Bool {
        // What nearly every producer sends, compared as one small string.
        if text == "application/json" { return true }
        var essence = text.utf8.prefix { $0 != UInt8(ascii: ";") }[...]
        while let first = essence.first, first == 0x20 || first == 0x09 { essence = essence.dropFirst() }
        while let last = essence.last, last == 0x20 || last == 0x09 { essence = essence.dropLast() }
        let expected = "application/json".utf8
        guard essence.count == expected.count else { return false }
        // ASCII case-insensitive comparison.
        return zip(essence, expected).allSatisfy { ($0 | 0x20) == $1 || $0 == $1 }
    }

    /// Whether `bytes` start with the lower-case ASCII `prefix`, in any case.
    private static func hasCaseInsensitivePrefix(_ bytes: [UInt8], _ prefix: String) -> Bool {
        guard bytes.count >= prefix.utf8.count else { return false }
        return zip(bytes, prefix.utf8).allSatisfy { ($0 | 0x20) == $1 || $0 == $1 }
    }

    /// A non-empty URI reference (RFC 3986): printable ASCII without spaces or the characters URIs exclude.
    static func isURIReference(_ text: String) -> Bool {
        guard !text.isEmpty else { return false }
        for byte in text.utf8 {
            guard byte > 0x20, byte < 0x7F else { return false }
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\\"), UInt8(ascii: "^"),
                 UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"):
                return false
            default:
                continue
            }
        }
        return true
    }
}

/// A failed check of the value itself, before any attribute is read.
private struct EnvelopeFailure: Error {
    let reason: DeadLetterReason
    let detail: String
    init(_ reason: DeadLetterReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }
}
