import ArgumentParser
import Foundation

/// The runtime end to end with the tally test domain: preload, raw consume, then the worker process.
struct TallyWorkerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime", abstract: "Measure the worker runtime end to end with the tally test domain (one notification per event).")

    @Option(help: "Events to preload.") var events = 500_000
    @Option(help: "Partitions of the input topic.") var partitions = 64

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("welfare-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let (broker, bootstrap) = try BenchmarkSupport.startBroker(
            topics: [("welfare.tally", partitions), ("welfare.tally.dlq", 3), ("welfare.notifications", 12)], in: directory)
        defer { broker.terminate(); broker.waitUntilExit() }

        let messages = (0..<events).map { index -> (key: [UInt8], value: [UInt8]) in
            let tally = "tally-\(index % 50_000)"
            let value = #"{"specversion":"1.0","id":"evt-\#(index)","source":"/bench/tally","type":"tally.added.v1","time":"2026-05-10T09:00:00+08:00","subject":"\#(tally)","datacontenttype":"application/json","data":{"tally_id":"\#(tally)","entry_id":"entry-\#(index)","amount":\#(index % 100 + 1),"note":"benchmark padding to make the event about 350 bytes long, like a real one"}}"#
            return (Array(tally.utf8), Array(value.utf8))
        }
        let averageSize = messages.reduce(0) { $0 + $1.value.count } / max(1, messages.count)
        let preload = try BenchmarkSupport.preload(messages, topic: "welfare.tally", bootstrap: bootstrap)
        print(String(format: "preloaded %d events (~%d bytes) on %d partitions in %.1f s", events, averageSize, partitions, preload))
        let raw = try BenchmarkSupport.rawConsume(topic: "welfare.tally", partitions: partitions, count: events, bootstrap: bootstrap)
        let run = try BenchmarkSupport.runWorker(
            executable: "welfare-tally-worker", bootstrap: bootstrap, store: directory.appendingPathComponent("tally.sqlite").path, expected: events)
        run.report(events: events, rawRate: Double(events) / raw)
    }
}
