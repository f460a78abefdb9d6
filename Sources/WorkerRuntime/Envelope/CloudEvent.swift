import Foundation

/// An input message that passed the envelope checks: a CloudEvents 1.0 event, read from either content mode.
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
