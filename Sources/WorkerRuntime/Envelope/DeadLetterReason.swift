/// Why a message breaks the contract, in the order the checks run (the first that applies is the reason).
public enum DeadLetterReason: String, Sendable, CaseIterable {
    case tooLarge = "TOO_LARGE"
    case malformedJSON = "MALFORMED_JSON"
    case notCloudEvent = "NOT_CLOUDEVENT"
    case unsupportedSpecVersion = "UNSUPPORTED_SPECVERSION"
    case eventIDConflict = "EVENT_ID_CONFLICT"
    case keyMismatch = "KEY_MISMATCH"
    case unknownType = "UNKNOWN_TYPE"
    case invalidData = "INVALID_DATA"
    /// The worker itself cannot process the message: its handling fails on every attempt alone.
    case processingFailed = "PROCESSING_FAILED"
    /// The worker died while handling the message alone, `processing.max_crashes` times.
    case workerCrashed = "WORKER_CRASHED"
}
