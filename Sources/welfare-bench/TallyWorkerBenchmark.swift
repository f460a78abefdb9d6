import ArgumentParser
import Foundation

/// The runtime end to end with the tally test domain: preload, raw consume, then the worker process.
struct TallyWorkerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime", abstract: "Measure the worker runtime end to end with the tally test domain (one notification per event).")

    @Option(help: "Events to preload.") var events = 500_000
    @Option(help: "Partitions of the input topic.") var partitions = 64

    func run() throws {
        let messages = (0..<events).map { index -> (key: [UInt8], value: [UInt8]) in
            let tally = "tally-\(index % 50_000)"
            let value = #"{"specversion":"1.0","id":"evt-\#(index)","source":"/bench/tally","type":"tally.added.v1","time":"2026-05-10T09:00:00+08:00","subject":"\#(tally)","datacontenttype":"application/json","data":{"tally_id":"\#(tally)","entry_id":"entry-\#(index)","amount":\#(index % 100 + 1),"note":"benchmark padding to make the event about 350 bytes long, like a real one"}}"#
            return (Array(tally.utf8), Array(value.utf8))
        }
        try WorkerBenchmarkRun(executable: "welfare-tally-worker", inputTopic: "welfare.tally", partitions: partitions).run(messages: messages)
    }
}
