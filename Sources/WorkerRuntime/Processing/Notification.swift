/// Who a notification is for.
public enum RecipientKind: String, Sendable, CaseIterable {
    case volunteer, organization, member, reviewer, finance, worker, source
}

/// A notification for a person or system, before it becomes a CloudEvent on `welfare.notifications`.
/// It never carries an identity number or a phone number.
public struct Notification: Sendable, Equatable {
    public let template: String
    public let recipientKind: RecipientKind
    public let recipientID: String
    /// The template's parameters, in a fixed order.
    public let params: JSONObject
    /// The rendered Chinese text for a person.
    public let text: String

    public init(template: String, recipient kind: RecipientKind, id: String, params: JSONObject, text: String) {
        self.template = template
        self.recipientKind = kind
        self.recipientID = id
        self.params = params
        self.text = text
    }
}
