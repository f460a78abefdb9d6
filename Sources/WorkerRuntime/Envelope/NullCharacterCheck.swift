/// Finds a text of an event that holds U+0000. JSON may carry it (`\u0000`) and the contract accepts it,
/// but no store keeps it as sent: PostgreSQL's text cannot hold it, and SQLite's text binding ends the
/// value there. Such a message goes the way of one the worker cannot process (`PROCESSING_FAILED`) on
/// either engine, rather than being stored shortened.
enum NullCharacterCheck {
    /// The path of the first text holding U+0000 (`id`, `data.name`, `data.items[2]`), or nil.
    static func field(in event: CloudEvent, value: [UInt8]?) -> String? {
        if event.id.utf8.contains(0) { return "id" }
        if event.source.utf8.contains(0) { return "source" }
        if event.subject.utf8.contains(0) { return "subject" }
        // JSON writes U+0000 only as an escape: a value without one needs no closer look.
        guard let value, holdsEscape(value) else { return nil }
        return path(in: .object(event.data), at: "data")
    }

    private static func holdsEscape(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while let backslash = bytes[index...].firstIndex(of: UInt8(ascii: "\\")) {
            guard backslash + 5 < bytes.count else { return false }
            if bytes[backslash + 1] == UInt8(ascii: "u") && bytes[(backslash + 2)...(backslash + 5)].allSatisfy({ $0 == UInt8(ascii: "0") }) { return true }
            // An escaped backslash is two characters: the next one starts no escape.
            index = backslash + 2
        }
        return false
    }

    private static func path(in value: JSONValue, at path: String) -> String? {
        switch value {
        case .string(let text):
            return text.utf8.contains(0) ? path : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = self.path(in: item, at: "\(path)[\(index)]") { return found }
            }
        case .object(let object):
            for member in object.members {
                if let found = self.path(in: member.value, at: "\(path).\(member.key)") { return found }
            }
        case .null, .bool, .integer, .double:
            break
        }
        return nil
    }
}
