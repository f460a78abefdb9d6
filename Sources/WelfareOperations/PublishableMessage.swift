import Foundation
import WorkerRuntime

/// A message to publish: an optional key and the value bytes. Read from NDJSON by `welfare-publish` and
/// by the dead-letter re-drive (corrected messages), one format for both.
public struct PublishableMessage: Sendable, Equatable {
    public var key: String?
    public var value: [UInt8]

    public init(key: String?, value: [UInt8]) {
        self.key = key
        self.value = value
    }

    /// The CloudEvent `id` of the value, when it is a JSON object with a string `id`.
    public var eventID: String? {
        guard case .object(let object)? = try? JSONParser.parse(value) else { return nil }
        return object["id"]?.stringValue
    }

    /// Reads `{"key": …, "value": …}` lines (blank lines skipped). An object value is sent as its JSON text,
    /// a string value as-is. A bad line stops the read with its line number.
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
            switch value {
            case .string(let raw): messages.append(PublishableMessage(key: key, value: Array(raw.utf8)))
            default: messages.append(PublishableMessage(key: key, value: JSONWriter.encode(value)))
            }
        }
        return messages
    }
}
