import Kafka
import Synchronization

/// Follows the outbox rows handed to the producer: which are confirmed (to delete in the next
/// transaction), which failed (to send again from the store), and how many are still in flight.
final class DeliveryTracker: Sendable {
    private struct State {
        var confirmed: [Int64] = []
        var failed: [Int64] = []
        var inFlight = 0
        var lastFailure: KafkaError?
    }

    private let state = Mutex(State())

    /// The producer's delivery callback.
    func record(_ report: DeliveryReport) {
        state.withLock { state in
            state.inFlight -= 1
            switch report.result {
            case .success: state.confirmed.append(Int64(bitPattern: report.token))
            case .failure(let error):
                state.failed.append(Int64(bitPattern: report.token))
                state.lastFailure = error
            }
        }
    }

    func sent(count: Int = 1) { state.withLock { $0.inFlight += count } }

    var inFlight: Int { state.withLock { $0.inFlight } }

    func takeConfirmed() -> [Int64] { state.withLock { state in defer { state.confirmed = [] }; return state.confirmed } }

    /// Puts confirmations back after the transaction that would have deleted them rolled back.
    func restoreConfirmed(_ seqs: [Int64]) { state.withLock { $0.confirmed.insert(contentsOf: seqs, at: 0) } }

    func takeFailed() -> (seqs: [Int64], error: KafkaError?) {
        state.withLock { state in
            defer { state.failed = []; state.lastFailure = nil }
            return (state.failed, state.lastFailure)
        }
    }

    var hasFailures: Bool { state.withLock { !$0.failed.isEmpty } }
}
