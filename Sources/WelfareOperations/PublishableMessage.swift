import Foundation
import Kafka
import WorkerRuntime

/// A message to publish: an optional key, the value bytes and any headers. Read from NDJSON by
/// `welfare-publish` and by the dead-letter re-drive (corrected messages), one format for both.
public struct PublishableMessage: Sendable, Equatable {
    public var key: String?
    public var value: [UInt8]
    public var headers: [KafkaHeader]

    public init(key: String?, value: [UInt8], headers: [KafkaHeader] = []) {
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// The CloudEvent `id`: the `ce_id` header in binary mode, else the value's `id` when it is a JSON object.
    public var eventID: String? {
        if EnvelopeCheck.contentMode(of: headers) == .binary {
            return headers.first { $0.name == "ce_id" }?.text
        }
        guard case .object(let object)? = try? JSONParser.parse(value) else { return nil }
        return object["id"]?.stringValue
    }

    /// The same event in binary content mode: each attribute of a structured value becomes a `ce_<name>`
    /// header (`datacontenttype` becomes `content-type`) and the value becomes `data`. A value that is not a
    /// JSON object, or a message already in binary mode, is returned unchanged.
    public func inBinaryMode() -> PublishableMessage {
        guard EnvelopeCheck.contentMode(of: headers) == .structured,
              case .object(let event)? = try? JSONParser.parse(value) else { return self }
        var attributeHeaders: [KafkaHeader] = []
        var data: [UInt8] = []
        for (name, member) in event.members {
            switch (name, member) {
            case ("data", let value): data = JSONWriter.encode(value)
            case ("datacontenttype", .string(let text)): attributeHeaders.append(KafkaHeader(EnvelopeCheck.contentTypeHeader, text))
            case (_, .string(let text)): attributeHeaders.append(KafkaHeader(EnvelopeCheck.attributeHeaderPrefix + name, text))
            case (_, let other): attributeHeaders.append(KafkaHeader(name: EnvelopeCheck.attributeHeaderPrefix + name, value: JSONWriter.encode(other)))
            }
        }
        return PublishableMessage(key: key, value: data, headers: headers + attributeHeaders)
    }

    /// Reads `{"key": …, "value": …, "headers": {…}}` lines (blank lines skipped). An object value is sent
    /// as its JSON text, a string value as-is; `headers`, optional, is an object of string values sent in
    /// its order. A bad line stops the read with its line number.
    public static func readNDJSON(path: String) throws -> [PublishableMessage] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw OperationsError("cannot read \(path): \(error.localizedDescription)")
        }
        var messages: [PublishableMessage] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            guard case .object(let object)? = try? JSONParser.parse(Array(trimmed.utf8)), let value = object["value"] else {
                throw OperationsError("\(path):\(number + 1): expected a JSON object with a value")
            }
            let key = object["key"]?.stringValue
            var headers: [KafkaHeader] = []
            if let headerValue = object["headers"] {
                guard case .object(let headerObject) = headerValue else {
                    throw OperationsError("\(path):\(number + 1): headers must be an object of strings")
                }
                for (name, member) in headerObject.members {
                    guard case .string(let text) = member else { throw OperationsError("\(path):\(number + 1): header \(name) must be a string") }
                    headers.append(KafkaHeader(name, text))
                }
            }
            switch value {
            case .string(let raw): messages.append(PublishableMessage(key: key, value: Array(raw.utf8), headers: headers))
            default: messages.append(PublishableMessage(key: key, value: JSONWriter.encode(value), headers: headers))
            }
        }
        return messages
    }
}
