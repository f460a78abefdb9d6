import Foundation
import Logging

/// A swift-log handler writing one JSON object per line to standard error
/// (`time`, `level`, `logger`, `message`, then the metadata).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: JSONObject = [
            "time": .string(Date().ISO8601Format(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))),
            "level": .string(event.level.rawValue), "logger": .string(label), "message": .string(event.message.description),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { object.members.append((key, .string(value.description))) }
        var bytes = JSONWriter.encode(.object(object))
        bytes.append(0x0A)
        FileHandle.standardError.write(Data(bytes))
    }
}
