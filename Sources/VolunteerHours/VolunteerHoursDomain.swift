import WorkerRuntime

/// The volunteer-hours domain (contract `volunteer-hours.md`): registrations, service records and their
/// review, a ledger of credited minutes with star levels, corrections and certificates.
public struct VolunteerHoursDomain: WorkerDomain {
    public static let workerName = "volunteer-hours"
    public static let defaultInputTopic = "welfare.volunteer-hours"
    public static var configurationKeys: [ConfigurationKey] { VolunteerSettings.keys }
    /// 10,000-event transactions. A batch dirties nearly every page of the indexes keyed by volunteer
    /// whatever its size, so larger batches pay for them over more events, within the memory target.
    public static var defaultBatchMaxMessages: Int { 10_000 }

    public let settings: VolunteerSettings
    public var workerName: String { Self.workerName }
    public var identityHashColumns: [IdentityHashColumn] { [IdentityHashColumn(table: "volunteers", column: "identity_hash", digestIndex: "volunteer_identity_keys")] }
    public var entityIDField: String { "volunteer_id" }
    public var eventTypes: Set<String> { VolunteerEvent.types }

    public init(settings: VolunteerSettings) { self.settings = settings }

    public init(configuration: WorkerConfiguration) throws {
        settings = try VolunteerSettings(configuration: configuration)
    }

    public static func controls(of engine: WorkerEngine<VolunteerHoursDomain>) -> EngineControls { EngineControls(engine) }

    public func decode(type: String, data: DataReader) throws(DataError) -> VolunteerEvent {
        try VolunteerEvent.decode(type: type, data: data)
    }

    public typealias Records = any VolunteerRecords

    public func schema(for engine: StoreEngine) -> [SchemaMigration] {
        switch engine {
        case .sqlite: VolunteerSchema.sqlite
        case .postgresql: VolunteerSchema.postgresql
        }
    }

    public func records(in transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws -> any VolunteerRecords {
        switch transaction.engine {
        case .sqlite: try SQLiteVolunteerRecords(transaction, identity: identity, memo: memo)
        case .postgresql: try PostgresVolunteerRecords(transaction, identity: identity, memo: memo)
        }
    }

    /// The volunteers and service records the coming events name.
    public func readAhead(_ events: [VolunteerEvent], records: any VolunteerRecords) throws {
        var window = VolunteerReadAhead()
        for event in events {
            switch event {
            case .registered(let registration):
                window.volunteerIDs.append(registration.volunteerID)
                window.identityNumbers.append(registration.identityNumber)
            case .submitted(let submission):
                window.volunteerIDs.append(submission.volunteerID)
                window.submissions.append(submission)
            case .approved(let recordID, let volunteerID, _, _), .declined(let recordID, let volunteerID, _, _):
                window.volunteerIDs.append(volunteerID)
                window.recordIDs.append(recordID)
            case .corrected(let correction):
                window.volunteerIDs.append(correction.volunteerID)
                window.recordIDs.append(correction.recordID)
                window.correctionIDs.append(correction.correctionID)
            case .certificateRequested(let request):
                window.volunteerIDs.append(request.volunteerID)
                window.certificates.append(request)
            }
        }
        if !window.isEmpty { try records.readAhead(window) }
    }

    public func apply(_ event: VolunteerEvent, context: EventContext, records store: any VolunteerRecords) throws -> DomainDecision {
        switch event {
        case .registered(let registration): return try register(registration, context, store)
        case .submitted(let submission): return try submit(submission, context, store)
        case .approved(let recordID, let volunteerID, let approverID, let minutes):
            return try approve(recordID: recordID, volunteerID: volunteerID, approverID: approverID, minutes: minutes, context, store)
        case .declined(let recordID, let volunteerID, let approverID, let reason):
            return try decline(recordID: recordID, volunteerID: volunteerID, approverID: approverID, reason: reason, context, store)
        case .corrected(let correction): return try correct(correction, context, store)
        case .certificateRequested(let request): return try issueCertificate(request, context, store)
        }
    }
}
