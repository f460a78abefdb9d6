/// A service record's lifecycle as an explicit transition table: which event may move a record from which
/// state. An event outside the table is an `ILLEGAL_TRANSITION` rejection, never a crash.
public enum RecordStateMachine {
    public enum State: String, Sendable, CaseIterable {
        case pending = "PENDING"
        case approved = "APPROVED"
        case declined = "DECLINED"
        case voided = "VOIDED"
    }

    public enum Action: String, Sendable {
        case approve, decline, correct
    }

    /// The states each action may start from.
    public static let allowedFrom: [Action: Set<State>] = [
        .approve: [.pending],
        .decline: [.pending],
        .correct: [.approved],
    ]

    public static func allows(_ action: Action, from state: State) -> Bool {
        allowedFrom[action]?.contains(state) ?? false
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
