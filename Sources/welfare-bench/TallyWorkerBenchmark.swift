import ArgumentParser
import Foundation
import WelfareDomains

/// The runtime end to end with the tally test domain: preload, raw consume, then the worker process.
struct TallyWorkerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime", abstract: "Measure the worker runtime end to end with the tally test domain (one notification per event).")

    @Option(help: "Events to preload.") var events = 500_000
    @Option(help: "Partitions of the input topic.") var partitions = 64
    @Flag(help: "Load the worker's /status page once a second during the run.") var loadStatusPage = false
    @Flag(name: .customLong("uuid-ids"), help: "Random UUID-shaped event ids (as many upstream systems send) instead of evt-N.") var uuidIDs = false

    func run() throws {
        let messages = (0..<events).map { index -> (key: [UInt8], value: [UInt8]) in
            let tally = "tally-\(index % 50_000)"
            let id = uuidIDs ? Self.uuid(index) : "evt-\(index)"
            let value = #"{"specversion":"1.0","id":"\#(id)","source":"/bench/tally","type":"tally.added.v1","time":"2026-05-10T09:00:00+08:00","subject":"\#(tally)","datacontenttype":"application/json","data":{"tally_id":"\#(tally)","entry_id":"entry-\#(index)","amount":\#(index % 100 + 1),"note":"benchmark padding to make the event about 350 bytes long, like a real one"}}"#
            return (Array(tally.utf8), Array(value.utf8))
        }
        try WorkerBenchmarkRun(domain: WelfareDomains.tally, partitions: partitions, loadStatusPage: loadStatusPage)
            .run(messages: messages)
    }

    /// A UUID-shaped id that looks random but is the same for the same index (splitmix64 of it, twice).
    static func uuid(_ index: Int) -> String {
        func mix(_ value: UInt64) -> UInt64 {
            var z = value &+ 0x9E37_79B9_7F4A_7C15
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let high = mix(UInt64(index)), low = mix(high)
        let characters = Array(String(format: "%016llx%016llx", high, low))
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}
