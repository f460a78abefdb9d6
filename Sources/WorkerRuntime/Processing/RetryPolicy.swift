/// Capped exponential backoff with full jitter, for transient faults (store busy or full, broker away).
public struct RetryPolicy: Sendable {
    public let initialDelay: Duration
    public let maximumDelay: Duration
    public private(set) var attempts = 0

    public init(initialDelay: Duration, maximumDelay: Duration) {
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The delay before the next attempt: random in [cap/2, cap], cap doubling up to the maximum.
    public mutating func nextDelay() -> Duration {
        attempts += 1
        let exponent = min(attempts - 1, 20)
        let cap = min(maximumDelay, initialDelay * (1 << exponent))
        let capNanoseconds = max(1, cap.components.seconds * 1_000_000_000 + cap.components.attoseconds / 1_000_000_000)
        return .nanoseconds(capNanoseconds / 2 + Int64.random(in: 0...(capNanoseconds / 2)))
    }

    public mutating func reset() { attempts = 0 }
}
