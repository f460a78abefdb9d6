/// The broker's answer for one produced message.
public struct DeliveryReport: Sendable {
    /// The caller's token given to `Producer.send(_:token:)`.
    public let token: UInt64
    public let topic: String
    /// Where the message was stored, or the error that made librdkafka give up on it.
    public let result: Result<(partition: Int32, offset: Int64), KafkaError>

    public init(token: UInt64, topic: String, result: Result<(partition: Int32, offset: Int64), KafkaError>) {
        self.token = token
        self.topic = topic
        self.result = result
    }
}
