/// Who a notification is for.
public enum RecipientKind: String, Sendable, CaseIterable {
    case volunteer, organization, member, reviewer, finance, worker, source
}

/// A notification for a person or system, before it becomes a CloudEvent on `welfare.notifications`.
/// It never carries an identity number or a phone number.
///
/// Its parameters and text are built when first read, which is on the rendering thread: a domain names
/// them where it decides (`params: [...]`, `text: "..."` as usual), and the store writer, the thread that
/// limits every worker, does not spend its time formatting numbers, dates and Chinese text. What they are
/// built from is captured when the notification is made, so they come out the same whenever they are read.
public struct Notification: Sendable, Equatable {
    public let template: String
    public let recipientKind: RecipientKind
    public let recipientID: String
    private let makeParams: @Sendable () -> JSONObject
    private let makeText: @Sendable () -> String

    /// The template's parameters, in a fixed order.
    public var params: JSONObject { makeParams() }
    /// The rendered Chinese text for a person.
    public var text: String { makeText() }

    public init(template: String, recipient kind: RecipientKind, id: String, params: @autoclosure @escaping @Sendable () -> JSONObject,
                text: @autoclosure @escaping @Sendable () -> String) {
        self.template = template
        self.recipientKind = kind
        self.recipientID = id
        self.makeParams = params
        self.makeText = text
    }

    public static func == (lhs: Notification, rhs: Notification) -> Bool {
        lhs.template == rhs.template && lhs.recipientKind == rhs.recipientKind && lhs.recipientID == rhs.recipientID
            && lhs.params == rhs.params && lhs.text == rhs.text
    }
}
