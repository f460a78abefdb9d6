import CRdKafka
import Logging

/// Serves librdkafka's rebalance callback for one consumer: asks the listener for start offsets on
/// assign, hands it the batch in hand on revoke, then completes the (eager or cooperative) step.
///
/// Used only on the consumer's polling thread (librdkafka calls it from inside `poll` and `close`).
final class RebalanceCoordinator: ClientContext, @unchecked Sendable {
    let listener: RebalanceListener?
    let onError: @Sendable (KafkaError) -> Void
    /// Messages taken from librdkafka during the current `poll` but not yet returned.
    var inFlight: [ConsumedMessage] = []

    init(listener: RebalanceListener?, onError: @escaping @Sendable (KafkaError) -> Void, logger: Logger) {
        self.listener = listener
        self.onError = onError
        super.init(logger: logger)
    }

    func handle(_ handle: OpaquePointer, _ err: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let cooperative = rd_kafka_rebalance_protocol(handle).map { String(cString: $0) } == "COOPERATIVE"
        let partitions = PartitionList.read(list).map(\.0)
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            if let listener {
                let starts = listener.onAssign(partitions)
                for index in 0..<Int(list.pointee.cnt) {
                    let element = list.pointee.elems[index]
                    let tp = TopicPartition(element.topic.map { String(cString: $0) } ?? "", element.partition)
                    list.pointee.elems[index].offset = (starts[tp] ?? .committed).native
                }
            }
            if cooperative {
                report(rd_kafka_incremental_assign(handle, list), "incremental assign")
            } else {
                reportCode(rd_kafka_assign(handle, list), "assign")
            }
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            let revoked = Set(partitions)
            let lost = rd_kafka_assignment_lost(handle) != 0
            if let listener {
                let handedOver = inFlight.filter { revoked.contains($0.topicPartition) }
                inFlight.removeAll { revoked.contains($0.topicPartition) }
                listener.onRevoke(partitions, handedOver, lost)
            }
            if cooperative {
                report(rd_kafka_incremental_unassign(handle, list), "incremental unassign")
            } else {
                reportCode(rd_kafka_assign(handle, nil), "unassign")
            }
        default:
            onError(KafkaError(err, message: "rebalance failed: \(KafkaError(err).message)"))
            reportCode(rd_kafka_assign(handle, nil), "unassign after failed rebalance")
        }
    }

    private func report(_ error: OpaquePointer?, _ step: String) {
        guard let error else { return }
        let failure = KafkaError(consuming: error)
        onError(KafkaError(code: failure.code, name: failure.name, message: "\(step): \(failure.message)",
                           isRetriable: failure.isRetriable, isFatal: failure.isFatal))
    }

    private func reportCode(_ code: rd_kafka_resp_err_t, _ step: String) {
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return }
        onError(KafkaError(code, message: "\(step): \(KafkaError(code).message)"))
    }
}

let consumerRebalanceTrampoline:
    @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
        handle, err, list, opaque in
        guard let handle, let list, let opaque else { return }
        Unmanaged<RebalanceCoordinator>.fromOpaque(opaque).takeUnretainedValue().handle(handle, err, list)
    }
