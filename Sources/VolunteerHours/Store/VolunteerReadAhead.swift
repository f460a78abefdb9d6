/// What a window of volunteer-hours events will read, handed to `VolunteerRecords.readAhead` so that an
/// engine where each read is a round trip reads it all in a few statements before the events are applied.
public struct VolunteerReadAhead: Sendable {
    /// Volunteers whose totals the events read.
    public var volunteerIDs: [String] = []
    /// Service records the events look up.
    public var recordIDs: [String] = []
    /// Submissions: their record ids, the records near their periods (the overlap rule) and a number each.
    public var submissions: [VolunteerEvent.Submission] = []
    /// Identity numbers of registrations (the duplicate-identity rule).
    public var identityNumbers: [String] = []
    /// Corrections whose ids must be new.
    public var correctionIDs: [String] = []
    /// Certificate requests: their ids, and the records their summaries count.
    public var certificates: [VolunteerEvent.CertificateRequest] = []

    public init() {}

    public var isEmpty: Bool {
        volunteerIDs.isEmpty && recordIDs.isEmpty && submissions.isEmpty && identityNumbers.isEmpty && correctionIDs.isEmpty && certificates.isEmpty
    }
}
