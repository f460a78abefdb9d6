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

    public enum Action: String, Sendable, CaseIterable {
        /// A voucher is used at a service site.
        case redeem
        /// The worker or the department withdraws the application.
        case cancel
        /// A cancelled grant's seat goes to the earliest on the waiting list.
        case promote
    }

    /// The transition table: whether `action` may start from `state` (a switch, so that the check costs
    /// no hashing on the writer thread).
    public static func allows(_ action: Action, from state: State) -> Bool {
        switch action {
        case .redeem: state == .granted
        case .cancel: state == .granted || state == .waitlisted
        case .promote: state == .waitlisted
        }
    }

    /// The state each action leads to.
    public static let target: [Action: State] = [.redeem: .redeemed, .cancel: .cancelled, .promote: .granted]

    /// The states each action may start from, as a table (for people and tests).
    public static var allowedFrom: [Action: Set<State>] {
        Dictionary(uniqueKeysWithValues: Action.allCases.map { action in (action, Set(State.allCases.filter { allows(action, from: $0) })) })
    }
}
