import Crypto
import Kafka

/// Turns notifications into `welfare.notifications` messages: a CloudEvent keyed by the recipient id with
/// a stable id (the same triggering event always yields the same id), written without Foundation.
public struct NotificationRenderer: Sendable {
    public let workerName: String
    public let topic: String
    private let source: String

    public init(workerName: String, topic: String) {
        self.workerName = workerName
        self.topic = topic
        self.source = "/welfare-workers/\(workerName)"
    }

    /// The stable notification id: a SHA-256 of the triggering event id, the template and the recipient,
    /// shown as a UUID-shaped string.
    public static func notificationID(eventID: String, template: String, recipientKind: RecipientKind, recipientID: String) -> String {
        var hasher = SHA256()
        for part in [eventID, template, recipientKind.rawValue, recipientID] {
            hasher.update(data: Array(part.utf8))
            hasher.update(data: [0x1F])
        }
        let digest = Array(hasher.finalize())
        let hex = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, byte) in digest.prefix(16).enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hex[Int(byte >> 4)])
            text.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The message for one notification caused by an event.
    public func record(for notification: Notification, causedBy context: EventContext) -> ProducerRecord {
        let id = NotificationRenderer.notificationID(
            eventID: context.eventID, template: notification.template,
            recipientKind: notification.recipientKind, recipientID: notification.recipientID)
        var writer = JSONWriter(capacity: 640)
        writer.raw("{\"specversion\":\"1.0\",\"id\":")
        writer.write(string: id)
        writer.raw(",\"source\":")
        writer.write(string: source)
        writer.raw(",\"type\":\"welfare.notification.v1\",\"time\":")
        writer.write(string: context.time.text)
        writer.raw(",\"subject\":")
        writer.write(string: notification.recipientID)
        writer.raw(",\"datacontenttype\":\"application/json\",\"data\":{\"template\":")
        writer.write(string: notification.template)
        writer.raw(",\"recipient\":{\"kind\":")
        writer.write(string: notification.recipientKind.rawValue)
        writer.raw(",\"id\":")
        writer.write(string: notification.recipientID)
        writer.raw("},\"locale\":\"zh-CN\",\"params\":")
        writer.write(.object(notification.params))
        writer.raw(",\"text\":")
        writer.write(string: notification.text)
        writer.raw(",\"caused_by\":")
        writer.write(string: context.eventID)
        writer.raw("}}")
        return ProducerRecord(topic: topic, key: Array(notification.recipientID.utf8), value: writer.bytes)
    }

    /// The `welfare.event.rejected` notice to the event's source system.
    public static func rejection(context: EventContext, reasonCode: String, detail: String) -> Notification {
        Notification(
            template: "welfare.event.rejected", recipient: .source, id: context.source,
            params: [
                "event_id": .string(context.eventID), "event_type": .string(context.type),
                "reason_code": .string(reasonCode), "detail": .string(detail),
            ],
            text: "事件 \(context.eventID)（\(context.type)）未被受理：\(reasonCode)。\(detail)")
    }
}
