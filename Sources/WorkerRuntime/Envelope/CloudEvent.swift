import Foundation

/// An input message that passed the envelope checks: a CloudEvents 1.0 event in structured JSON mode.
public struct CloudEvent: Sendable {
    public let id: String
    public let source: String
    public let type: String
    /// The business time of the event: every rule's "now".
    public let time: Instant
    public let subject: String
    public let data: JSONObject

    public init(id: String, source: String, type: String, time: Instant, subject: String, data: JSONObject) {
        self.id = id
        self.source = source
        self.type = type
        self.time = time
        self.subject = subject
        self.data = data
    }
}

/// The envelope checks of the contract, in its order: size, JSON, CloudEvents attributes, specversion.
public enum EnvelopeCheck {
    /// The largest value accepted: 1 MiB (exactly that many bytes is accepted).
    public static let maximumValueBytes = 1_048_576

    /// The result of checking one message value.
    public enum Result: Sendable {
        case event(CloudEvent)
        /// The message is dead-lettered; `eventID` is the `id` attribute when it could be read.
        case deadLetter(DeadLetterReason, detail: String, eventID: String?)
    }

    public static func check(_ value: [UInt8]?) -> Result {
        guard let value, !value.isEmpty else { return .deadLetter(.malformedJSON, detail: "the message value is empty", eventID: nil) }
        guard value.count <= maximumValueBytes else {
            return .deadLetter(.tooLarge, detail: "the value is \(value.count) bytes; at most \(maximumValueBytes) are accepted", eventID: nil)
        }
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(value)
        } catch {
            return .deadLetter(.malformedJSON, detail: error.description, eventID: nil)
        }
        guard case .object(let object) = parsed else {
            return .deadLetter(.notCloudEvent, detail: "the value is a JSON \(parsed.typeName), not an object", eventID: nil)
        }
        let readableID = object["id"]?.stringValue
        func notCloudEvent(_ detail: String) -> Result { .deadLetter(.notCloudEvent, detail: detail, eventID: readableID) }

        var attributes: [String] = []
        for name in ["specversion", "id", "source", "type", "time", "subject"] {
            guard let attribute = object[name] else { return notCloudEvent("required attribute \(name) is missing") }
            guard case .string(let text) = attribute else { return notCloudEvent("attribute \(name) must be a string") }
            attributes.append(text)
        }
        let (specVersion, id, source, type, timeText, subject) = (attributes[0], attributes[1], attributes[2], attributes[3], attributes[4], attributes[5])
        guard !id.isEmpty, id.unicodeScalars.count <= 128 else { return notCloudEvent("attribute id must be 1–128 characters") }
        guard isURIReference(source) else { return notCloudEvent("attribute source must be a non-empty URI reference") }
        guard !type.isEmpty else { return notCloudEvent("attribute type must not be empty") }
        guard let time = Instant(rfc3339: timeText) else { return notCloudEvent("attribute time must be an RFC 3339 timestamp with an offset") }
        guard let dataValue = object["data"] else { return notCloudEvent("required attribute data is missing") }
        guard case .object(let data) = dataValue else { return notCloudEvent("attribute data must be a JSON object") }
        if let contentType = object["datacontenttype"] {
            guard case .string(let mediaType) = contentType, isJSONMediaType(mediaType) else {
                return notCloudEvent("attribute datacontenttype must be application/json")
            }
        }
        guard specVersion == "1.0" else {
            return .deadLetter(.unsupportedSpecVersion, detail: "specversion \(specVersion) is not supported; use 1.0", eventID: id)
        }
        return .event(CloudEvent(id: id, source: source, type: type, time: time, subject: subject, data: data))
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
