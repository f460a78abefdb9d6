import CRdKafka
import Logging

/// The state a librdkafka client reaches through its opaque pointer from C callbacks; carries the
/// logger that librdkafka's own log lines go to (instead of raw stderr).
/// Unchecked: its only state is a `Logger` set once at init (subclasses say why theirs is safe); C callbacks
/// reach it through a raw pointer the compiler cannot follow.
class ClientContext: @unchecked Sendable {
    let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func log(level: Int32, facility: String, message: String) {
        let mapped: Logger.Level =
            switch level {
            case ...3: .error
            case 4: .warning
            case 5: .notice
            default: .debug  // librdkafka's "info" (connects, disconnects) is routine noise
            }
        logger.log(level: mapped, "\(message)", metadata: ["kafka.facility": "\(facility)"])
    }
}

let kafkaLogTrampoline: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    handle, level, facility, message in
    guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
    let context = Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    context.log(level: level, facility: facility.map { String(cString: $0) } ?? "", message: message.map { String(cString: $0) } ?? "")
}
