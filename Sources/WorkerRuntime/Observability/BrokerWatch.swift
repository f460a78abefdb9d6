import Foundation
import Kafka
import Logging
import Synchronization

/// Notices when the Kafka cluster has been out of reach for longer than `broker.unreachable_warning_ms`:
/// librdkafka's "all brokers down" and transport errors start the clock, any sign of life (messages
/// polled, a delivery confirmed, a probe answered) stops it. It warns once when the time passes, then
/// says how long it lasted once the broker is back; `/readyz` and a metric show it meanwhile.
public final class BrokerWatch: Sendable {
    private struct State {
        var downSince: ContinuousClock.Instant?
        var warned = false
        var lastProbe: ContinuousClock.Instant = .now - .seconds(60)
    }

    private let state = Mutex(State())
    /// Whether the clock runs: read without the lock on the hot path (every delivery report).
    private let down = Atomic<Bool>(false)
    public let warningAfter: Duration
    private let logger: Logger

    public init(warningAfter: Duration, logger: Logger) {
        self.warningAfter = warningAfter
        self.logger = logger
    }

    /// A client error: "all brokers down" and transport failures mean the cluster is out of reach.
    public func record(_ error: KafkaError) {
        guard error.name == "_ALL_BROKERS_DOWN" || error.name == "_TRANSPORT" else { return }
        state.withLock { if $0.downSince == nil { $0.downSince = .now } }
        down.store(true, ordering: .relaxed)
    }

    /// Something came back from the cluster.
    public func reachable() {
        guard down.load(ordering: .relaxed) else { return }
        down.store(false, ordering: .relaxed)
        let outage: Duration? = state.withLock { state in
            guard let since = state.downSince else { return nil }
            defer { state.downSince = nil; state.warned = false }
            return state.warned ? ContinuousClock.now - since : nil
        }
        if let outage {
            logger.notice("the Kafka cluster is reachable again", metadata: ["unreachable_for_seconds": "\(Self.seconds(outage))"])
        }
    }

    /// How long the cluster has been out of reach, if it is.
    public var unreachableFor: Duration? { state.withLock { state in state.downSince.map { ContinuousClock.now - $0 } } }

    /// Whether it has been out of reach for longer than the warning time.
    public var overdue: Bool { unreachableFor.map { $0 > warningAfter } ?? false }

    /// Called often from the engine's loop: warns once when the time passes; returns whether a probe of
    /// the cluster is due (at most once a second while it is out of reach).
    public func tick() -> Bool {
        let (warn, probe, outage) = state.withLock { state -> (Bool, Bool, Duration) in
            guard let since = state.downSince else { return (false, false, .zero) }
            let outage = ContinuousClock.now - since
            let warn = !state.warned && outage > warningAfter
            if warn { state.warned = true }
            let probe = ContinuousClock.now - state.lastProbe >= .seconds(1)
            if probe { state.lastProbe = .now }
            return (warn, probe, outage)
        }
        if warn {
            logger.warning("the Kafka cluster has been unreachable; consumption and notifications wait for it, nothing is skipped", metadata: [
                "unreachable_for_seconds": "\(Self.seconds(outage))", "warning_after_ms": "\(warningAfter.components.seconds * 1000 + warningAfter.components.attoseconds / 1_000_000_000_000_000)",
            ])
        }
        return probe
    }

    static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
