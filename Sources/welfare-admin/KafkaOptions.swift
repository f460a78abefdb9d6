import ArgumentParser
import Kafka

/// How a tool reaches a Kafka cluster: bootstrap servers plus any librdkafka property (SASL/SSL included).
struct KafkaOptions: ParsableArguments {
    @Option(help: "Kafka bootstrap servers HOST:PORT[,…].") var bootstrapServers: String
    @Option(name: .customLong("kafka"), help: "Extra librdkafka property KEY=VALUE (repeatable), e.g. security.protocol=SASL_SSL.")
    var properties: [String] = []

    func validate() throws {
        for property in properties where !property.contains("=") { throw ValidationError("--kafka takes KEY=VALUE, not \(property)") }
    }

    var configuration: KafkaConfiguration {
        var values = ["bootstrap.servers": bootstrapServers]
        for property in properties {
            let parts = property.split(separator: "=", maxSplits: 1).map(String.init)
            values[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return KafkaConfiguration(values)
    }
}
