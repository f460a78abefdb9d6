/// A service record's lifecycle as an explicit transition table: which event may move a record from which
/// state. An event outside the table is an `ILLEGAL_TRANSITION` rejection, never a crash.
public enum RecordStateMachine {
    public enum State: String, Sendable, CaseIterable {
        case pending = "PENDING"
        case approved = "APPROVED"
        case declined = "DECLINED"
        case voided = "VOIDED"
    }

    public enum Action: String, Sendable, CaseIterable {
        case approve, decline, correct
    }

    /// The transition table: whether `action` may start from `state` (a switch, so that the check costs
    /// no hashing on the writer thread).
    public static func allows(_ action: Action, from state: State) -> Bool {
        switch action {
        case .approve, .decline: state == .pending
        case .correct: state == .approved
        }
    }

    /// The states each action may start from, as a table (for people and tests).
    public static var allowedFrom: [Action: Set<State>] {
        Dictionary(uniqueKeysWithValues: Action.allCases.map { action in (action, Set(State.allCases.filter { allows(action, from: $0) })) })
    }

    /// The state an allowed action leads to; a correction to 0 minutes voids the record.
    public static func target(of action: Action, approvedMinutes: Int64) -> State {
        switch action {
        case .approve: .approved
        case .decline: .declined
        case .correct: approvedMinutes == 0 ? .voided : .approved
        }
    }
}
