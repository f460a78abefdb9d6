import WorkerRuntime

/// Rules about a record's service period.
public enum ServicePeriod {
    /// The longest period one record may claim.
    public static let maximumMicroseconds: Int64 = 24 * 3_600_000_000

    /// Why a period is not acceptable, if it is not: not after its start, or longer than 24 hours.
    public static func problem(startedAt: Instant, endedAt: Instant) -> String? {
        if endedAt.epochMicroseconds <= startedAt.epochMicroseconds { return "ended_at is not after started_at" }
        if endedAt.epochMicroseconds - startedAt.epochMicroseconds > maximumMicroseconds { return "the period is longer than 24 hours" }
        return nil
    }

    /// Whole minutes of a period, rounded down.
    public static func minutes(startedAt: Instant, endedAt: Instant) -> Int64 {
        (endedAt.epochMicroseconds - startedAt.epochMicroseconds) / 60_000_000
    }

    /// Whether two half-open periods overlap (touching end-to-start does not).
    public static func overlaps(_ a: (start: Int64, end: Int64), _ b: (start: Int64, end: Int64)) -> Bool {
        a.start < b.end && b.start < a.end
    }
}
