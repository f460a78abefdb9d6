import ArgumentParser
import Foundation
import Kafka

/// The raw consume rate of this binding next to `kcat -C` on the same topic, in the same run.
struct RawConsumeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "raw-consume",
        abstract: "Preload a topic on the embedded broker, then time kcat and this binding reading all of it.")

    @Option(help: "How many messages to preload.")
    var messages = 500_000

    @Option(help: "Partitions of the topic (the embedded broker keeps about 5 MB per partition).")
    var partitions = 64

    @Option(help: "Size of each message value in bytes.")
    var size = 350

    @Option(help: "The kcat executable to compare with (skipped when missing).")
    var kcat = "/usr/bin/kcat"

    func run() throws {
        let broker = try EmbeddedBroker()
        defer { broker.shutdown() }
        try broker.createTopic("bench.raw", partitions: partitions)
        let produceSeconds = try preload(broker)
        print(String(format: "preload: %d messages of %d bytes on %d partitions in %.2f s (%.0f msgs/s)",
                     messages, size, partitions, produceSeconds, Double(messages) / produceSeconds))

        var kcatRate: Double?
        if FileManager.default.isExecutableFile(atPath: kcat) {
            let seconds = try timeKcat(broker)
            kcatRate = Double(messages) / seconds
            print(String(format: "kcat -C:        %8.0f msgs/s (%.2f s)", Double(messages) / seconds, seconds))
        } else {
            print("kcat -C:        not installed, skipped")
        }
        let (seconds, bytes) = try timeBinding(broker)
        let rate = Double(messages) / seconds
        print(String(format: "Kafka.Consumer: %8.0f msgs/s (%.2f s, %.1f MB/s)", rate, seconds, Double(bytes) / seconds / 1e6))
        if let kcatRate { print(String(format: "ratio binding/kcat: %.2f", rate / kcatRate)) }
        print(String(format: "peak RSS: %.0f MB", Double(BenchmarkSupport.peakResidentBytes(pid: getpid())) / 1e6))
    }

    private func preload(_ broker: EmbeddedBroker) throws -> Double {
        let producer = try Producer(configuration: KafkaConfiguration([
            "bootstrap.servers": broker.bootstrapServers, "linger.ms": "20", "batch.size": "1000000",
            "queue.buffering.max.messages": "1000000", "queue.buffering.max.kbytes": "1048576",
        ]))
        defer { producer.close() }
        var value = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        let start = ContinuousClock.now
        for index in 0..<messages {
            let key = Array("volunteer-\(index % 50_000)".utf8)
            value.withUnsafeMutableBufferPointer { buffer in
                var number = index
                for position in 0..<min(8, buffer.count) {
                    buffer[position] = UInt8(ascii: "0") + UInt8(number % 10)
                    number /= 10
                }
            }
            while true {
                do {
                    try producer.send(ProducerRecord(topic: "bench.raw", partition: Int32(index % partitions), key: key, value: value))
                    break
                } catch {
                    guard error.isRetriable else { throw error }
                    usleep(1_000)  // librdkafka's queue is full: let deliveries drain it
                }
            }
        }
        guard producer.flush(timeout: .seconds(120)) else { throw ValidationError("preload did not finish") }
        return (ContinuousClock.now - start).seconds
    }

    private func timeKcat(_ broker: EmbeddedBroker) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kcat)
        process.arguments = ["-C", "-b", broker.bootstrapServers, "-t", "bench.raw", "-o", "beginning", "-e", "-q",
                             "-c", String(messages), "-f", "%o\n"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let start = ContinuousClock.now
        try process.run()
        process.waitUntilExit()
        return (ContinuousClock.now - start).seconds
    }

    private func timeBinding(_ broker: EmbeddedBroker) throws -> (Double, Int) {
        let consumer = try Consumer(configuration: KafkaConfiguration([
            "bootstrap.servers": broker.bootstrapServers, "group.id": "bench-raw",
            "queued.max.messages.kbytes": "65536",
        ]))
        defer { consumer.close() }
        let start = ContinuousClock.now
        try consumer.assign(Dictionary(uniqueKeysWithValues: (0..<partitions).map { (TopicPartition("bench.raw", Int32($0)), StartOffset.beginning) }))
        var received = 0
        var bytes = 0
        var firstAt: ContinuousClock.Instant?
        defer {
            if let firstAt {
                print(String(format: "  first message after %.0f ms; steady rate after it %.0f msgs/s",
                             (firstAt - start).seconds * 1000, Double(received) / (ContinuousClock.now - firstAt).seconds))
            }
        }
        while received < messages {
            let batch = try consumer.poll(maxMessages: 2_000, maxWait: .seconds(5))
            if batch.isEmpty { throw ValidationError("consumer stalled after \(received) messages") }
            if firstAt == nil { firstAt = ContinuousClock.now }
            received += batch.count
            for message in batch { bytes += message.value?.count ?? 0 }
        }
        return ((ContinuousClock.now - start).seconds, bytes)
    }
}

extension Duration {
    /// The duration in seconds as a floating-point number.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
