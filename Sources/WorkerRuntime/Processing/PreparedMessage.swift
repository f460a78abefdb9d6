/// What the checks that need no store concluded about one message (done in parallel, off the transaction).
enum PreparedMessage<Event: Sendable>: Sendable {
    /// The envelope failed a check that comes before the event-id check.
    case deadLetter(DeadLetterReason, detail: String, eventID: String?)
    /// A CloudEvent. `laterFailure` is a check after the id check that failed (key, type, data);
    /// otherwise `decoded` holds the domain event.
    case event(CloudEvent, valueHash: [UInt8], laterFailure: (DeadLetterReason, String)?, decoded: Event?)
    /// A CloudEvent that passed every check, with a text no store can keep as sent (`NullCharacterCheck`):
    /// handling it fails, so that it is isolated and dead-lettered as `PROCESSING_FAILED`.
    case unstorable(CloudEvent, valueHash: [UInt8], field: String)
}
