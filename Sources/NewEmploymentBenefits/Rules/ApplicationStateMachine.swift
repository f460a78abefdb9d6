/// A benefit application's lifecycle as an explicit transition table: which event may move an application
/// from which state. An event outside the table is a rejection, never a crash.
public enum ApplicationStateMachine {
    public enum State: String, Sendable, CaseIterable {
        case denied = "DENIED"
        case waitlisted = "WAITLISTED"
        case granted = "GRANTED"
        case redeemed = "REDEEMED"
        case cancelled = "CANCELLED"
    }

    public enum Action: String, Sendable {
        /// A voucher is used at a service site.
        case redeem
        /// The worker or the department withdraws the application.
        case cancel
        /// A cancelled grant's seat goes to the earliest on the waiting list.
        case promote
    }

    /// The states each action may start from.
    public static let allowedFrom: [Action: Set<State>] = [
        .redeem: [.granted],
        .cancel: [.granted, .waitlisted],
        .promote: [.waitlisted],
    ]

    /// The state each action leads to.
    public static let target: [Action: State] = [.redeem: .redeemed, .cancel: .cancelled, .promote: .granted]

    public static func allows(_ action: Action, from state: State) -> Bool {
        allowedFrom[action]?.contains(state) ?? false
    }
}
