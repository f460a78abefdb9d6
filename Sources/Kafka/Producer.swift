import CRdKafka
import Foundation
import Logging
import Synchronization

/// An idempotent Kafka producer whose delivery reports come back to the caller.
///
/// `send` only enqueues (it does not wait for the network); a thread of the producer's own serves
/// librdkafka's delivery callbacks and hands each report to `onDelivery`, or resumes the task awaiting
/// `deliver`. Idempotence (`enable.idempotence=true`) keeps per-partition order and drops broker-side
/// repeats of retried sends.
public final class Producer: Sendable {
    /// The properties this binding sets unless the configuration says otherwise.
    public static let defaults: [String: String] = [
        "enable.idempotence": "true",
        "acks": "all",
        "linger.ms": "5",
        "message.max.bytes": "2097152",
    ]

    /// The per-message state handed to librdkafka as the message opaque. Unchecked: set before the message
    /// is queued and read once by the delivery callback, which librdkafka orders after the queueing.
    final class Ticket: @unchecked Sendable {
        let token: UInt64
        var continuation: CheckedContinuation<DeliveryReport, Never>?
        init(token: UInt64, continuation: CheckedContinuation<DeliveryReport, Never>?) {
            self.token = token
            self.continuation = continuation
        }
    }

    /// Shared with the C callbacks through the client's opaque pointer. Unchecked only because its base class
    /// is: everything it adds is immutable and `Sendable`.
    final class Callbacks: ClientContext, @unchecked Sendable {
        let onDelivery: @Sendable (DeliveryReport) -> Void
        let onError: @Sendable (KafkaError) -> Void
        init(onDelivery: @escaping @Sendable (DeliveryReport) -> Void, onError: @escaping @Sendable (KafkaError) -> Void, logger: Logger) {
            self.onDelivery = onDelivery
            self.onError = onError
            super.init(logger: logger)
        }
    }

    /// Whether `close` has begun, shared with the polling thread, and how many calls are using the handle:
    /// `close` destroys it only once none is, and no call starts using it after `close` began.
    private final class Lifecycle: Sendable {
        let closed = Atomic<Bool>(false)
        let users = Atomic<Int>(0)
        let pollerDone = DispatchSemaphore(value: 0)

        /// Before a call uses the handle; false once `close` has begun. (Sequentially consistent on both
        /// sides: a caller that sees `closed` false is counted before `close` looks at `users`.)
        func enter() -> Bool {
            users.wrappingAdd(1, ordering: .sequentiallyConsistent)
            if closed.load(ordering: .sequentiallyConsistent) {
                users.wrappingSubtract(1, ordering: .sequentiallyConsistent)
                return false
            }
            return true
        }

        func leave() { users.wrappingSubtract(1, ordering: .sequentiallyConsistent) }

        /// Marks the handle closed and waits for the calls using it to finish; false if it was closed already.
        func beginClose() -> Bool {
            guard closed.compareExchange(expected: false, desired: true, ordering: .sequentiallyConsistent).exchanged else { return false }
            while users.load(ordering: .sequentiallyConsistent) > 0 { usleep(100) }
            return true
        }
    }

    nonisolated(unsafe) private let handle: OpaquePointer
    private let callbacks: Callbacks
    private let callbacksRetained: Unmanaged<Callbacks>
    private let lifecycle = Lifecycle()

    /// Makes a producer. `onDelivery` runs on the producer's own thread once per sent message with a
    /// token; `onError` hears of client-level errors (all brokers down, fatal idempotence errors);
    /// librdkafka's own log lines go to `logger`.
    public init(
        configuration: KafkaConfiguration,
        logger: Logger = Logger(label: "welfare.kafka.producer"),
        onDelivery: @escaping @Sendable (DeliveryReport) -> Void = { _ in },
        onError: @escaping @Sendable (KafkaError) -> Void = { _ in }
    ) throws(KafkaError) {
        let conf = try configuration.withDefaults(Producer.defaults).makeNative()
        let callbacks = Callbacks(onDelivery: onDelivery, onError: onError, logger: logger)
        let retained = Unmanaged.passRetained(callbacks)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        rd_kafka_conf_set_dr_msg_cb(conf, producerDeliveryTrampoline)
        rd_kafka_conf_set_error_cb(conf, producerErrorTrampoline)
        rd_kafka_conf_set_log_cb(conf, kafkaLogTrampoline)
        let handle: OpaquePointer
        do {
            handle = try makeClientHandle(RD_KAFKA_PRODUCER, conf: conf)
        } catch {
            retained.release()
            throw error
        }
        self.handle = handle
        self.callbacks = callbacks
        self.callbacksRetained = retained
        let native = NativeHandle(pointer: handle)
        startThread(named: "kafka-producer") { [lifecycle] in
            while !lifecycle.closed.load(ordering: .acquiring) {
                rd_kafka_poll(native.pointer, 50)
            }
            lifecycle.pollerDone.signal()
        }
    }

    /// The number of partitions of `topic`, read from the cluster (blocking). Asking before the first
    /// message to a topic also spares that message the metadata request librdkafka would make for it.
    public func partitionCount(topic: String, timeout: Duration) throws(KafkaError) -> Int {
        guard lifecycle.enter() else { throw .client("producer is closed") }
        defer { lifecycle.leave() }
        return try readPartitionCount(handle, topic: topic, timeout: timeout)
    }

    /// Enqueues one message. The report comes to `onDelivery` with `token`.
    /// Throws a retriable `_QUEUE_FULL` error when librdkafka's queue is full.
    public func send(_ record: ProducerRecord, token: UInt64 = 0) throws(KafkaError) {
        try enqueue(record, ticket: Ticket(token: token, continuation: nil))
    }

    /// Sends one message and waits for its delivery report.
    public func deliver(_ record: ProducerRecord) async -> DeliveryReport {
        await withCheckedContinuation { continuation in
            let ticket = Ticket(token: 0, continuation: continuation)
            do throws(KafkaError) {
                try enqueue(record, ticket: ticket)
            } catch {
                ticket.continuation = nil
                continuation.resume(returning: DeliveryReport(token: 0, topic: record.topic, result: .failure(error)))
            }
        }
    }

    /// The number of messages not yet acknowledged by the broker (or given up on).
    public var inFlightCount: Int {
        guard lifecycle.enter() else { return 0 }
        defer { lifecycle.leave() }
        return Int(rd_kafka_outq_len(handle))
    }

    /// Waits until every enqueued message has its delivery report, or the deadline passes.
    /// Returns whether everything was delivered. Blocking: call it from a thread of your own.
    @discardableResult
    public func flush(timeout: Duration) -> Bool {
        guard lifecycle.enter() else { return false }
        defer { lifecycle.leave() }
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while rd_kafka_outq_len(handle) > 0 {
            if ContinuousClock.now >= deadline { return false }
            usleep(1_000)
        }
        return true
    }

    /// Flushes within the deadline, then releases the client. Blocking.
    public func close(flushTimeout: Duration = .seconds(10)) {
        guard lifecycle.beginClose() else { return }
        // The poller is stopping; serve the remaining reports here.
        lifecycle.pollerDone.wait()
        let deadline = ContinuousClock.now.advanced(by: flushTimeout)
        while rd_kafka_outq_len(handle) > 0 && ContinuousClock.now < deadline {
            rd_kafka_poll(handle, 10)
        }
        rd_kafka_purge(handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
        rd_kafka_poll(handle, 0)
        rd_kafka_destroy(handle)
        callbacksRetained.release()
    }

    deinit { close(flushTimeout: .zero) }

    private func enqueue(_ record: ProducerRecord, ticket: Ticket) throws(KafkaError) {
        guard lifecycle.enter() else { throw .client("producer is closed") }
        defer { lifecycle.leave() }
        var headers: OpaquePointer? = nil
        if !record.headers.isEmpty {
            headers = rd_kafka_headers_new(record.headers.count)
            for header in record.headers {
                if let value = header.value {
                    value.withUnsafeBytes { bytes in
                        _ = rd_kafka_header_add(headers, header.name, -1, bytes.baseAddress, bytes.count)
                    }
                } else {
                    _ = rd_kafka_header_add(headers, header.name, -1, nil, 0)
                }
            }
        }
        let opaque = Unmanaged.passRetained(ticket).toOpaque()
        let error: OpaquePointer? = record.topic.withCString { topic in
            withOptionalBytes(record.key) { keyPointer, keyCount in
                withOptionalBytes(record.value) { valuePointer, valueCount in
                    var fields = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 7)
                    var count = 0
                    func add(_ type: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                        fields[count].vtype = type
                        fill(&fields[count])
                        count += 1
                    }
                    add(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topic }
                    if let partition = record.partition { add(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition } }
                    if let keyPointer {
                        add(RD_KAFKA_VTYPE_KEY) { $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: keyPointer); $0.u.mem.size = keyCount }
                    }
                    if let valuePointer {
                        add(RD_KAFKA_VTYPE_VALUE) { $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: valuePointer); $0.u.mem.size = valueCount }
                    }
                    if let headers { add(RD_KAFKA_VTYPE_HEADERS) { $0.u.headers = headers } }
                    add(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque }
                    add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                    return rd_kafka_produceva(handle, &fields, count)
                }
            }
        }
        if let error {
            Unmanaged<Ticket>.fromOpaque(opaque).release()
            if let headers { rd_kafka_headers_destroy(headers) }
            throw KafkaError(consuming: error)
        }
    }
}

/// Calls `body` with a pointer to the bytes (or nil and 0 for a null key or value).
private func withOptionalBytes<T>(_ bytes: [UInt8]?, _ body: (UnsafeRawPointer?, Int) -> T) -> T {
    guard let bytes else { return body(nil, 0) }
    return bytes.withUnsafeBytes { buffer in
        // An empty array still needs a non-null pointer: Kafka distinguishes empty from null.
        body(buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1), buffer.count)
    }
}

private let producerDeliveryTrampoline:
    @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let opaque else { return }
        let callbacks = Unmanaged<Producer.Callbacks>.fromOpaque(opaque).takeUnretainedValue()
        let topic = message.pointee.rkt.flatMap { rd_kafka_topic_name($0) }.map { String(cString: $0) } ?? ""
        let result: Result<(partition: Int32, offset: Int64), KafkaError> =
            message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR
            ? .success((message.pointee.partition, message.pointee.offset))
            : .failure(KafkaError(message.pointee.err))
        guard let ticketPointer = message.pointee._private else { return }
        let ticket = Unmanaged<Producer.Ticket>.fromOpaque(ticketPointer).takeRetainedValue()
        let report = DeliveryReport(token: ticket.token, topic: topic, result: result)
        if let continuation = ticket.continuation {
            continuation.resume(returning: report)
        } else {
            callbacks.onDelivery(report)
        }
    }

private let producerErrorTrampoline:
    @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        _, code, reason, opaque in
        guard let opaque else { return }
        let callbacks = Unmanaged<Producer.Callbacks>.fromOpaque(opaque).takeUnretainedValue()
        let err = rd_kafka_resp_err_t(rawValue: code)
        callbacks.onError(KafkaError(err, message: reason.map { String(cString: $0) }))
    }
