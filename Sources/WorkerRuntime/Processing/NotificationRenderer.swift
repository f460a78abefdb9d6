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
        // One buffer and one hash: the parts' UTF-8 bytes, each followed by 0x1F.
        var input: [UInt8] = []
        input.reserveCapacity(eventID.utf8.count + template.utf8.count + recipientID.utf8.count + 16)
        for part in [eventID, template, recipientKind.rawValue, recipientID] {
            input.append(contentsOf: part.utf8)
            input.append(0x1F)
        }
        let digest = SHA256.hash(data: input)
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            digest.withUnsafeBytes { bytes in
                for index in 0..<16 {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = hexDigit(bytes[index] >> 4)
                    text[position + 1] = hexDigit(bytes[index] & 0x0F)
                    position += 2
                }
            }
            return position
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
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
