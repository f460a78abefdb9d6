import CRdKafka

/// An error reported by librdkafka, with its code name, message and whether retrying can help.
public struct KafkaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// librdkafka's numeric `rd_kafka_resp_err_t` code.
    public let code: Int32
    /// librdkafka's name for the code, e.g. `_TIMED_OUT` or `UNKNOWN_TOPIC_OR_PART`.
    public let name: String
    /// A human-readable message.
    public let message: String
    /// Whether the same operation may succeed if retried later.
    public let isRetriable: Bool
    /// Whether the client instance is unusable after this error.
    public let isFatal: Bool

    public init(code: Int32, name: String, message: String, isRetriable: Bool, isFatal: Bool) {
        self.code = code
        self.name = name
        self.message = message
        self.isRetriable = isRetriable
        self.isFatal = isFatal
    }

    /// An error for a librdkafka response code, with an optional message replacing the default one.
    init(_ err: rd_kafka_resp_err_t, message: String? = nil) {
        let name = rd_kafka_err2name(err).map { String(cString: $0) } ?? "UNKNOWN"
        let text = message ?? rd_kafka_err2str(err).map { String(cString: $0) } ?? "unknown error"
        self.init(
            code: err.rawValue, name: name, message: text,
            isRetriable: KafkaError.retriableCodes.contains(err), isFatal: err == RD_KAFKA_RESP_ERR__FATAL)
    }

    /// An error taken from (and destroying) a librdkafka `rd_kafka_error_t`.
    init(consuming error: OpaquePointer) {
        let code = rd_kafka_error_code(error)
        let name = rd_kafka_error_name(error).map { String(cString: $0) } ?? "UNKNOWN"
        let text = rd_kafka_error_string(error).map { String(cString: $0) } ?? "unknown error"
        self.init(
            code: code.rawValue, name: name, message: text,
            isRetriable: rd_kafka_error_is_retriable(error) != 0 || KafkaError.retriableCodes.contains(code),
            isFatal: rd_kafka_error_is_fatal(error) != 0)
        rd_kafka_error_destroy(error)
    }

    /// An error raised by this binding rather than by librdkafka.
    public static func client(_ message: String, retriable: Bool = false) -> KafkaError {
        KafkaError(code: -1, name: "CLIENT", message: message, isRetriable: retriable, isFatal: false)
    }

    /// Checks a librdkafka response code, throwing unless it is `NO_ERROR`.
    static func check(_ err: rd_kafka_resp_err_t, _ context: @autoclosure () -> String) throws(KafkaError) {
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let base = KafkaError(err)
            throw KafkaError(
                code: base.code, name: base.name, message: "\(context()): \(base.message)",
                isRetriable: base.isRetriable, isFatal: base.isFatal)
        }
    }

    /// Whether this is librdkafka's local time-out.
    public var isTimeout: Bool { code == RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue }

    public var description: String { "\(name): \(message)" }

    private static let retriableCodes: Set<rd_kafka_resp_err_t> = [
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__WAIT_COORD,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION,
        RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_COORDINATOR,
        RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
    ]
}
