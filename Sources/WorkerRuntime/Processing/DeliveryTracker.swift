import Kafka
import Synchronization

/// Follows the outbox messages handed to the producer: which rows have every message confirmed (to delete
/// in the next transaction), which messages failed (to send again from the store), and how many messages
/// are still in flight.
final class DeliveryTracker: Sendable {
    private struct State {
        /// Rows handed to the producer, with how many of their messages are not yet confirmed.
        var unconfirmed: [Int64: Int] = [:]
        /// When each unconfirmed row was handed to the producer.
        var handedOver: [Int64: ContinuousClock.Instant] = [:]
        var confirmedRows: [Int64] = []
        var failed: [UInt64] = []
        var inFlight = 0
        var lastFailure: KafkaError?
    }

    private let state = Mutex(State())

    /// A row some of whose messages the cluster already holds (read back after a crash): those count as
    /// confirmed; a row with all of them is done at once.
    func expect(_ row: OutboxRow, alreadyDelivered: Int) {
        guard !row.records.isEmpty else { return }
        state.withLock {
            let left = row.records.count - alreadyDelivered
            if left > 0 {
                $0.unconfirmed[row.seq] = left
                if $0.handedOver[row.seq] == nil { $0.handedOver[row.seq] = .now }
            } else {
                $0.confirmedRows.append(row.seq)
            }
        }
    }

    /// Before a row's messages go to the producer for the first time: the row is done once all are confirmed.
    func expect(_ row: OutboxRow) {
        guard !row.records.isEmpty else { return }
        state.withLock {
            $0.unconfirmed[row.seq] = row.records.count
            if $0.handedOver[row.seq] == nil { $0.handedOver[row.seq] = .now }
        }
    }

    /// The producer's delivery callback.
    func record(_ report: DeliveryReport) {
        state.withLock { state in
            state.inFlight -= 1
            switch report.result {
            case .success:
                let seq = OutboxRow.position(of: report.token).seq
                guard let left = state.unconfirmed[seq] else { return }
                if left > 1 {
                    state.unconfirmed[seq] = left - 1
                } else {
                    state.unconfirmed[seq] = nil
                    state.handedOver[seq] = nil
                    state.confirmedRows.append(seq)
                }
            case .failure(let error):
                state.failed.append(report.token)
                state.lastFailure = error
            }
        }
    }

    func sent(count: Int = 1) { state.withLock { $0.inFlight += count } }

    var inFlight: Int { state.withLock { $0.inFlight } }

    /// How long the oldest row not yet confirmed has waited since it was handed to the producer.
    var oldestUnconfirmedAge: Duration? {
        state.withLock { state in state.handedOver.values.min().map { ContinuousClock.now - $0 } }
    }

    /// Rows whose messages are all confirmed, to delete.
    func takeConfirmed() -> [Int64] { state.withLock { state in defer { state.confirmedRows = [] }; return state.confirmedRows } }

    /// Puts confirmed rows back after the transaction that would have deleted them rolled back.
    func restoreConfirmed(_ seqs: [Int64]) { state.withLock { $0.confirmedRows.insert(contentsOf: seqs, at: 0) } }

    /// The tokens of messages whose delivery failed, to send again.
    func takeFailed() -> (tokens: [UInt64], error: KafkaError?) {
        state.withLock { state in
            defer { state.failed = []; state.lastFailure = nil }
            return (state.failed, state.lastFailure)
        }
    }

    /// Whether a row's messages are already with the producer or confirmed (not to be resent from the store).
    func isTracked(_ seq: Int64) -> Bool {
        state.withLock { $0.unconfirmed[seq] != nil || $0.confirmedRows.contains(seq) }
    }

    var hasFailures: Bool { state.withLock { !$0.failed.isEmpty } }
}
