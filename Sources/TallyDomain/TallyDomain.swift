import Foundation
import WorkerRuntime

/// A tiny domain for exercising the runtime without the real ones: tallies that entries add to.
///
/// `tally.added.v1` `{tally_id, entry_id, amount (1…1000)}` adds an entry (rejected `DUPLICATE_ENTRY` for a
/// known entry id, `OVER_LIMIT` above `domain.limit`) and notifies `tally.added` → member.
/// `tally.reset.v1` `{tally_id, reason}` sets the total back to 0 and notifies `tally.reset` → member.
///
/// Test hooks, for tests of the runtime only (no real domain has them): an added entry with
/// `"poison": "throw"` fails with an error no retry cures on every attempt, one with `"poison": "trap"`
/// kills the process while it is handled, and one with `"poison": "slow"` is applied and then waits 4 seconds,
/// holding its batch's transaction open with its writes (fencing tests pause the process then).
public struct TallyDomain: WorkerDomain {
    /// A decoded tally event.
    public enum Event: Sendable {
        case added(tallyID: String, entryID: String, amount: Int64, poison: Poison? = nil)
        case reset(tallyID: String, reason: String)
    }

    /// What a test hook makes the handler do.
    public enum Poison: String, Sendable {
        case `throw`
        case trap
        case slow
    }

    public static let workerName = "tally"
    public static let defaultInputTopic = "welfare.tally"
    public static let configurationKeys = [ConfigurationKey("domain.limit", default: "500", "Largest amount one entry may add")]
    /// Large transactions: each commit's fixed cost is spread over more events, within the memory target
    /// (figures in docs/PERFORMANCE.md).
    public static var defaultBatchMaxMessages: Int { 10_000 }

    public let limit: Int64
    public var workerName: String { Self.workerName }
    public var entityIDField: String { "tally_id" }
    public var eventTypes: Set<String> { ["tally.added.v1", "tally.reset.v1"] }

    public init(limit: Int64 = 500) { self.limit = limit }

    public static func controls(of engine: WorkerEngine<TallyDomain>) -> EngineControls { EngineControls(engine) }

    public init(configuration: WorkerConfiguration) throws {
        limit = Int64(try configuration.integer("domain.limit", in: 1...1000))
    }

    public func decode(type: String, data: DataReader) throws(DataError) -> Event {
        switch type {
        case "tally.added.v1":
            let poison = try data.optionalString("poison").map { text throws(DataError) -> Poison in
                guard let poison = Poison(rawValue: text) else { throw DataError(path: "data.poison", problem: "must be throw, trap or slow") }
                return poison
            }
            return .added(tallyID: try data.identifier("tally_id"), entryID: try data.identifier("entry_id"), amount: try data.integer("amount", in: 1...1000),
                          poison: poison)
        default:
            return .reset(tallyID: try data.identifier("tally_id"), reason: try data.string("reason", length: 1...200))
        }
    }

    public typealias Records = any TallyRecords

    public func schema(for engine: StoreEngine) -> [SchemaMigration] {
        switch engine {
        case .sqlite: TallySchema.sqlite
        case .postgresql: TallySchema.postgresql
        }
    }

    public func records(in transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws -> any TallyRecords {
        switch transaction.engine {
        case .sqlite: try SQLiteTallyRecords(transaction)
        case .postgresql: try PostgresTallyRecords(transaction)
        }
    }

    public func apply(_ event: Event, context: EventContext, records: any TallyRecords) throws -> DomainDecision {
        switch event {
        case .added(let tallyID, let entryID, let amount, let poison):
            switch poison {
            case .throw?: throw PoisonMessageError("poison hook: entry \(entryID) always fails")
            case .trap?: fatalError("poison hook: entry \(entryID) kills the worker")
            case .slow?, nil: break
            }
            guard amount <= limit else {
                return .rejected(reasonCode: "OVER_LIMIT", detail: "amount \(amount) is above the limit \(limit)", notices: [])
            }
            guard try records.addEntry(entryID, to: tallyID, amount: amount, eventID: context.eventID) else {
                return .rejected(reasonCode: "DUPLICATE_ENTRY", detail: "entry \(entryID) was already added", notices: [])
            }
            let total = try records.addToTotal(of: tallyID, amount)
            // Written first (its reads send what the transaction queued), so the transaction holds writes while it waits.
            if poison == .slow { Thread.sleep(forTimeInterval: 4) }
            return .applied([Notification(
                template: "tally.added", recipient: .member, id: tallyID,
                params: ["entry_id": .string(entryID), "amount": .integer(amount), "total": .integer(total)],
                text: "记账 \(entryID) 已计入 \(amount)，合计 \(total)。")])
        case .reset(let tallyID, let reason):
            try records.resetTotal(of: tallyID)
            return .applied([Notification(template: "tally.reset", recipient: .member, id: tallyID, params: ["reason": .string(reason)],
                                          text: "合计已清零：\(reason)")])
        }
    }
}
