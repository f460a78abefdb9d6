import Foundation
import GRDB
import Kafka
import WorkerRuntime

/// Compares two runs of the same input into fresh stores (the replay tests of every domain).
public enum ReplayComparison {
    /// For each query, a description of how the two stores differ, or that it returned nothing (the
    /// stream should exercise every table). Empty when both stores are identical.
    public static func storeDifferences<Domain>(_ first: EngineRunner<Domain>, _ second: EngineRunner<Domain>, queries: [String]) async throws -> [String] {
        var problems: [String] = []
        for query in queries {
            let a = try await first.dump(query)
            let b = try await second.dump(query)
            if a != b {
                let firstDifference = zip(a, b).first { $0 != $1 }.map { "\($0) ≠ \($1)" } ?? "\(a.count) rows ≠ \(b.count) rows"
                problems.append("\(query) differs: \(firstDifference)")
            }
            if a.isEmpty { problems.append("\(query) is empty: the stream should exercise it") }
        }
        return problems
    }

    /// Checks the contract's order guarantee — per recipient, notifications follow their triggering events'
    /// order on each input partition — and returns any breach with each recipient's notifications (sorted,
    /// for comparing runs). `positions` maps event ids to their input (partition, offset).
    public static func notificationsByRecipient(_ messages: [ConsumedMessage], positions: [String: (Int, Int)]) -> (problems: [String], contents: [String: [String]]) {
        var byRecipient: [String: [(partition: Int, offset: Int, value: String)]] = [:]
        for message in messages.sorted(by: { ($0.partition, $0.offset) < ($1.partition, $1.offset) }) {
            let value = String(decoding: message.value ?? [], as: UTF8.self)
            let cause = (try? JSONParser.parse(message.value ?? []))?.objectValue?["data"]?.objectValue?["caused_by"]?.stringValue ?? ""
            let position = positions[cause] ?? (-1, -1)
            byRecipient[String(decoding: message.key ?? [], as: UTF8.self), default: []].append((position.0, position.1, value))
        }
        var problems: [String] = []
        var contents: [String: [String]] = [:]
        for (recipient, entries) in byRecipient {
            for partition in Set(entries.map(\.partition)) {
                let offsets = entries.filter { $0.partition == partition }.map(\.offset)
                if offsets != offsets.sorted() { problems.append("\(recipient): notifications out of input order on partition \(partition)") }
            }
            contents[recipient] = entries.map(\.value).sorted()
        }
        return (problems, contents)
    }

    /// Both runs' notifications: breaches of the per-recipient order guarantee in either run, and the recipients
    /// whose notifications differ between the runs. Empty when the two streams agree.
    public static func notificationDifferences<Domain>(_ first: EngineRunner<Domain>, _ a: [ConsumedMessage], _ b: [ConsumedMessage]) async throws -> [String] {
        let positions = try await inputPositions(first)
        let (problemsA, contentsA) = notificationsByRecipient(a, positions: positions)
        let (problemsB, contentsB) = notificationsByRecipient(b, positions: positions)
        let differing = Set(contentsA.keys).union(contentsB.keys).filter { contentsA[$0] != contentsB[$0] }.sorted()
        return problemsA + problemsB + differing.map { "notifications differ for \($0)" }
    }

    /// Where each event id was read (partition, offset), from a run's store.
    public static func inputPositions<Domain>(_ runner: EngineRunner<Domain>) async throws -> [String: (Int, Int)] {
        try runner.store.rows("SELECT event_id, partition, \"offset\" FROM runtime_message_outcomes WHERE event_id IS NOT NULL")
            .reduce(into: [String: (Int, Int)]()) { positions, row in
                positions[row[0] ?? ""] = (row[1].flatMap { Int($0) } ?? -1, row[2].flatMap { Int($0) } ?? -1)
            }
    }
}
