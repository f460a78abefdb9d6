import WorkerRuntime

/// What the volunteer-hours rules read and write: volunteers and their totals, service records and their
/// history, the ledger of credited minutes, corrections and certificates. One implementation per store
/// engine (`SQLiteVolunteerRecords`), opened on a batch's transaction.
public protocol VolunteerRecords {
    // Volunteers
    func volunteer(_ id: String) throws -> VolunteerTotals?
    /// Whether the volunteer is registered (a fact that never changes once true, so it may be remembered).
    func isRegistered(_ volunteerID: String) throws -> Bool
    /// Whether another volunteer registered with this identity number (compared as keyed hashes).
    func identityBelongsToAnother(_ number: String) throws -> Bool
    func insertVolunteer(_ registration: VolunteerEvent.Registration, at time: Instant) throws
    func setTotals(volunteerID: String, totalMinutes: Int64, starLevel: Int) throws

    // Service records
    func record(_ id: String) throws -> ServiceRecord?
    /// Whether a PENDING or APPROVED record of the volunteer overlaps the period (epoch microseconds).
    func hasOverlap(volunteerID: String, start: Int64, end: Int64) throws -> Bool
    /// Inserts a new PENDING record and returns its number; nil (and nothing written) when the record id is taken.
    func insertRecord(_ submission: VolunteerEvent.Submission, serviceDate: LocalDate, minutes: Int64, late: Bool) throws -> Int64?
    /// Moves a record to `state` and appends the move to its history, at `historySeq` when the caller knows
    /// it (else after the record's last entry).
    func setState(of record: ServiceRecord, to state: RecordStateMachine.State, approvedMinutes: Int64?, historySeq: Int64?, context: EventContext) throws
    /// Appends a history entry at `seq`, or after the record's last one when `seq` is nil.
    func appendHistory(recordNumber: Int64, state: RecordStateMachine.State, seq: Int64?, context: EventContext) throws

    // Ledger, corrections and certificates
    func appendLedger(volunteerID: String, recordID: String, kind: LedgerKind, minutes: Int64, context: EventContext) throws
    func correctionExists(_ id: String) throws -> Bool
    func insertCorrection(_ correction: VolunteerEvent.Correction, previousMinutes: Int64, context: EventContext) throws
    func certificateExists(_ id: String) throws -> Bool
    /// The APPROVED records whose service date lies in [from, to].
    func approvedSummary(volunteerID: String, from: LocalDate, to: LocalDate) throws -> ApprovedSummary
    func insertCertificate(_ request: VolunteerEvent.CertificateRequest, minutes: Int64, count: Int, organizations: [String],
                           verifyCode: String, context: EventContext) throws

    /// Reads what a window of events will read (totals, records, periods, identities) in a few statements,
    /// to answer the reads above from until the rows change (engines where a read is a round trip).
    func readAhead(_ window: VolunteerReadAhead) throws
}

extension VolunteerRecords {
    public func readAhead(_ window: VolunteerReadAhead) throws {}
}

/// A volunteer's credited minutes and star level.
public struct VolunteerTotals: Sendable {
    public let id: String
    public let totalMinutes: Int64
    public let starLevel: Int

    public init(id: String, totalMinutes: Int64, starLevel: Int) {
        self.id = id
        self.totalMinutes = totalMinutes
        self.starLevel = starLevel
    }
}

/// A service record as the rules see it.
public struct ServiceRecord: Sendable {
    /// The record's number in its store: a state change rewrites the row by it, and its history refers to it.
    public let number: Int64
    public let id: String
    public let volunteerID: String
    public let organizationID: String
    public let state: RecordStateMachine.State
    public let startedMicroseconds: Int64
    public let endedMicroseconds: Int64
    public let claimedMinutes: Int64
    public let approvedMinutes: Int64?

    /// The minutes of the record's period: the most it may be credited.
    public var periodMinutes: Int64 { claimedMinutes }

    public init(number: Int64, id: String, volunteerID: String, organizationID: String, state: RecordStateMachine.State, startedMicroseconds: Int64,
                endedMicroseconds: Int64, claimedMinutes: Int64, approvedMinutes: Int64?) {
        self.number = number
        self.id = id
        self.volunteerID = volunteerID
        self.organizationID = organizationID
        self.state = state
        self.startedMicroseconds = startedMicroseconds
        self.endedMicroseconds = endedMicroseconds
        self.claimedMinutes = claimedMinutes
        self.approvedMinutes = approvedMinutes
    }
}

/// Why minutes moved in a volunteer's ledger.
public enum LedgerKind: String, Sendable {
    case credit
    case correction
}

/// What a certificate states: the approved minutes of a period, how many records, and their organisations.
public struct ApprovedSummary: Sendable, Equatable {
    public let minutes: Int64
    public let count: Int
    public let organizations: [String]

    public init(minutes: Int64, count: Int, organizations: [String]) {
        self.minutes = minutes
        self.count = count
        self.organizations = organizations
    }
}
