/// What a domain gives the runtime: its event types with their `data` decoders (the contract check),
/// its schema per store engine, its records (the domain's own store protocol, opened on the batch's
/// transaction), and one function that applies a decoded event to them.
///
/// A domain never commits, never talks to Kafka and never reads the wall clock: "now" is the event's time.
/// Its rules see only its records protocol, so the same rules run on every store engine.
public protocol DomainHandler: Sendable {
    /// A decoded event of this domain.
    associatedtype Event: Sendable

    /// The worker's name, e.g. `volunteer-hours` (notification source `/welfare-workers/<name>`).
    var workerName: String { get }
    /// The field of `data` that must equal the message key, e.g. `volunteer_id`.
    var entityIDField: String { get }
    /// The event types this domain accepts; any other is `UNKNOWN_TYPE`.
    var eventTypes: Set<String> { get }

    /// Decodes `data` of a known type, or throws the field that breaks the contract. Runs off the
    /// transaction, possibly on several threads at once.
    func decode(type: String, data: DataReader) throws(DataError) -> Event

    /// The domain's store protocol (what its rules read and write), e.g. `any VolunteerRecords`.
    associatedtype Records

    /// The domain's schema steps for one engine, in order (append-only).
    func schema(for engine: StoreEngine) -> [SchemaMigration]

    /// Opens the domain's records on a batch's transaction, once per transaction.
    func records(in transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws -> Records

    /// Applies one event inside the batch's transaction. Throwing rolls the batch back: a storage fault is
    /// retried; any other error makes the runtime look for the message that causes it (`PROCESSING_FAILED`).
    /// Rule violations are returned as `.rejected`, never thrown.
    func apply(_ event: Event, context: EventContext, records: Records) throws -> DomainDecision

    /// Reads ahead, in a statement or two, the rows the rules will read for the coming events, on engines
    /// where a round trip per read is the cost (PostgreSQL); the records answer from what they read until
    /// they change it. Optional: by default nothing is read ahead.
    func readAhead(_ events: [Event], records: Records) throws

    /// The columns holding keyed identity hashes (`IdentityKey`), upgraded in place when a store written
    /// with unkeyed SHA-256 digests first meets a key.
    var identityHashColumns: [IdentityHashColumn] { get }
}

extension DomainHandler {
    public var identityHashColumns: [IdentityHashColumn] { [] }
    public func readAhead(_ events: [Event], records: Records) throws {}
}

/// A table column of keyed identity hashes, and the `LeveledIdIndex` (used as a set of digests) that files
/// them in a SQLite store, if any: re-keying the column files them again.
public struct IdentityHashColumn: Sendable, Equatable {
    public let table: String
    public let column: String
    public let digestIndex: String?

    public init(table: String, column: String, digestIndex: String? = nil) {
        self.table = table
        self.column = column
        self.digestIndex = digestIndex
    }
}

/// The envelope facts of the event being applied.
public struct EventContext: Sendable {
    public let eventID: String
    public let type: String
    public let source: String
    /// The business time: the rules' "now".
    public let time: Instant
    public let subject: String
    /// The event's date in Asia/Shanghai.
    public let date: LocalDate
    /// Where the message was read, for ordering by input order.
    public let partition: Int32
    public let offset: Int64

    public init(event: CloudEvent, partition: Int32, offset: Int64) {
        eventID = event.id
        type = event.type
        source = event.source
        time = event.time
        subject = event.subject
        date = ShanghaiTime.date(of: event.time)
        self.partition = partition
        self.offset = offset
    }
}

/// What applying one event decided.
public enum DomainDecision: Sendable {
    /// The store changed; emit these notifications, in order.
    case applied([Notification])
    /// A business rule refused the event; the runtime notifies the source (`welfare.event.rejected`),
    /// then emits the domain's own notices.
    case rejected(reasonCode: String, detail: String, notices: [Notification])
    /// The domain recognises a repeat under another event id (a payment reference, a redemption id):
    /// nothing changes and nothing is emitted.
    case duplicate(detail: String)
}
