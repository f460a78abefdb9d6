/// The claim lifecycle as an explicit transition table: which event may move a claim from which state.
/// An event outside the table is an `ILLEGAL_TRANSITION` rejection, never a crash.
public enum ClaimStateMachine {
    public enum State: String, Sendable, CaseIterable {
        case documentsRequested = "DOCUMENTS_REQUESTED"
        case underReview = "UNDER_REVIEW"
        case approved = "APPROVED"
        case rejected = "REJECTED"
        case paid = "PAID"
        case paymentFailed = "PAYMENT_FAILED"
        case withdrawn = "WITHDRAWN"
    }

    public enum Action: String, Sendable {
        case addDocuments, review, pay, failPayment, withdraw
    }

    /// The states each action may start from.
    public static let allowedFrom: [Action: Set<State>] = [
        .addDocuments: [.documentsRequested, .underReview],
        .review: [.underReview],
        .pay: [.approved, .paymentFailed],
        .failPayment: [.approved],
        .withdraw: [.documentsRequested, .underReview],
    ]

    public static func allows(_ action: Action, from state: State) -> Bool {
        allowedFrom[action]?.contains(state) ?? false
    }
}
