import WorkerRuntime

/// A decoded volunteer-hours event (the `data` of each type, checked against the contract).
public enum VolunteerEvent: Sendable {
    case registered(Registration)
    case submitted(Submission)
    case approved(recordID: String, volunteerID: String, approverID: String, approvedMinutes: Int64?)
    case declined(recordID: String, volunteerID: String, approverID: String, reason: String)
    case corrected(Correction)
    case certificateRequested(CertificateRequest)

    public struct Registration: Sendable {
        public let volunteerID: String
        public let name: String
        public let identityNumber: String
        public let birthDate: LocalDate
        public let district: String
        public let guardianConsent: Bool
    }

    public struct Submission: Sendable {
        public let recordID: String
        public let volunteerID: String
        public let organizationID: String
        public let activityID: String
        public let activityName: String
        public let place: String
        public let serviceContent: String
        public let startedAt: Instant
        public let endedAt: Instant
        public let submittedBy: String
    }

    public struct Correction: Sendable {
        public let correctionID: String
        public let recordID: String
        public let volunteerID: String
        public let approvedMinutes: Int64
        public let reason: String
        public let correctedBy: String
    }

    public struct CertificateRequest: Sendable {
        public let certificateID: String
        public let volunteerID: String
        public let from: LocalDate
        public let to: LocalDate
        public let requestedBy: String
    }

    /// The event types of the contract.
    public static let types: Set<String> = [
        "volunteer.registered.v1", "volunteer.hours.submitted.v1", "volunteer.hours.approved.v1",
        "volunteer.hours.declined.v1", "volunteer.hours.corrected.v1", "volunteer.certificate.requested.v1",
    ]

    /// Decodes `data` of one of `types`.
    public static func decode(type: String, data: DataReader) throws(DataError) -> VolunteerEvent {
        switch type {
        case "volunteer.registered.v1":
            let identity = try data.residentIdentityNumber("id_number")
            _ = try data.mobileNumber("phone")  // checked, never stored
            let birthDate = try data.date("birth_date")
            guard birthDate == identity.birthDate else {
                throw DataError(path: "data.birth_date", problem: "must equal the birth date inside id_number")
            }
            return .registered(Registration(
                volunteerID: try data.identifier("volunteer_id"), name: try data.string("name", length: 1...50),
                identityNumber: identity.number, birthDate: birthDate, district: try data.string("district", length: 1...50),
                guardianConsent: try data.bool("guardian_consent", default: false)))
        case "volunteer.hours.submitted.v1":
            return .submitted(Submission(
                recordID: try data.identifier("record_id"), volunteerID: try data.identifier("volunteer_id"),
                organizationID: try data.identifier("organization_id"), activityID: try data.identifier("activity_id"),
                activityName: try data.string("activity_name", length: 1...200), place: try data.string("place", length: 1...200),
                serviceContent: try data.string("service_content", length: 1...1000),
                startedAt: try data.instant("started_at"), endedAt: try data.instant("ended_at"),
                submittedBy: try data.identifier("submitted_by")))
        case "volunteer.hours.approved.v1":
            return .approved(
                recordID: try data.identifier("record_id"), volunteerID: try data.identifier("volunteer_id"),
                approverID: try data.identifier("approver_id"), approvedMinutes: try data.optionalInteger("approved_minutes"))
        case "volunteer.hours.declined.v1":
            return .declined(
                recordID: try data.identifier("record_id"), volunteerID: try data.identifier("volunteer_id"),
                approverID: try data.identifier("approver_id"), reason: try data.string("reason", length: 1...500))
        case "volunteer.hours.corrected.v1":
            return .corrected(Correction(
                correctionID: try data.identifier("correction_id"), recordID: try data.identifier("record_id"),
                volunteerID: try data.identifier("volunteer_id"), approvedMinutes: try data.integer("approved_minutes"),
                reason: try data.string("reason", length: 1...500), correctedBy: try data.identifier("corrected_by")))
        default:
            return .certificateRequested(CertificateRequest(
                certificateID: try data.identifier("certificate_id"), volunteerID: try data.identifier("volunteer_id"),
                from: try data.date("from"), to: try data.date("to"), requestedBy: try data.identifier("requested_by")))
        }
    }
}
