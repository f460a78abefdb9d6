import ArgumentParser
import Kafka
import WelfareOperations

/// How a tool reaches a Kafka cluster: bootstrap servers plus any librdkafka property (SASL/SSL included).
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers HOST:PORT[,…].") var bootstrapServers: String
    @Option(name: .customLong("kafka"), help: "Extra librdkafka property KEY=VALUE (repeatable), e.g. security.protocol=SASL_SSL.")
    var properties: [String] = []

    func validate() throws {
        if let bad = KafkaPropertyArguments.malformed(properties) { throw ValidationError("--kafka takes KEY=VALUE, not \(bad)") }
    }

    var configuration: KafkaConfiguration {
        KafkaPropertyArguments.configuration(bootstrapServers: bootstrapServers, properties: properties)
    }
}
