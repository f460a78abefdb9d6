import Foundation
import Synchronization

/// What `/healthz` and `/readyz` report: recent polling and commits, store writability, assignment,
/// and whether the worker is stuck retrying a transient fault.
public final class HealthState: Sendable {
    private let lastPollNanoseconds = Atomic<Int64>(0)
    private let lastCommitNanoseconds = Atomic<Int64>(0)
    private let storeWritable = Atomic<Bool>(true)
    private let assignedPartitions = Atomic<Int>(0)
    private let stuckSinceNanoseconds = Atomic<Int64>(0)
    private let lastProblem = Mutex<String?>(nil)
    private let running = Atomic<Bool>(false)
    /// Milliseconds the Kafka cluster has been out of reach (0: reachable), and whether past the warning time.
    private let brokerUnreachableMilliseconds = Atomic<Int64>(0)
    private let brokerOverdue = Atomic<Bool>(false)

    public init() {}

    static func now() -> Int64 { Int64(DispatchTime.now().uptimeNanoseconds) }

    public func markRunning(_ flag: Bool) { running.store(flag, ordering: .relaxed) }
    public func polled() { lastPollNanoseconds.store(HealthState.now(), ordering: .relaxed) }
    public func assigned(_ count: Int) { assignedPartitions.store(count, ordering: .relaxed) }

    public func committed() {
        lastCommitNanoseconds.store(HealthState.now(), ordering: .relaxed)
        storeWritable.store(true, ordering: .relaxed)
        stuckSinceNanoseconds.store(0, ordering: .relaxed)
        lastProblem.withLock { $0 = nil }
    }

    /// How long the Kafka cluster has been out of reach (nil: reachable) and whether that is past the warning time.
    public func broker(unreachableFor: Duration?, overdue: Bool) {
        let milliseconds = unreachableFor.map { $0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000 } ?? 0
        brokerUnreachableMilliseconds.store(milliseconds, ordering: .relaxed)
        brokerOverdue.store(overdue, ordering: .relaxed)
    }

    /// A transient fault is being retried.
    public func stuck(_ problem: String, storeFault: Bool) {
        if storeFault { storeWritable.store(false, ordering: .relaxed) }
        _ = stuckSinceNanoseconds.compareExchange(expected: 0, desired: HealthState.now(), ordering: .relaxed)
        lastProblem.withLock { $0 = problem }
    }

    /// A snapshot for the HTTP endpoints.
    public struct Report: Sendable {
        public let live: Bool
        public let ready: Bool
        public let secondsSincePoll: Double?
        public let secondsSinceCommit: Double?
        public let storeWritable: Bool
        public let assignedPartitions: Int
        public let stuckForSeconds: Double?
        public let problem: String?
        /// Seconds the Kafka cluster has been out of reach, when it is.
        public let brokerUnreachableSeconds: Double?

        /// The report as a small JSON object.
        public var json: String {
            var object: JSONObject = [
                "live": .bool(live), "ready": .bool(ready), "store_writable": .bool(storeWritable),
                "assigned_partitions": .integer(Int64(assignedPartitions)),
            ]
            if let secondsSincePoll { object.members.append(("seconds_since_poll", .double(secondsSincePoll))) }
            if let secondsSinceCommit { object.members.append(("seconds_since_commit", .double(secondsSinceCommit))) }
            if let stuckForSeconds { object.members.append(("stuck_for_seconds", .double(stuckForSeconds))) }
            if let problem { object.members.append(("problem", .string(problem))) }
            if let brokerUnreachableSeconds { object.members.append(("broker_unreachable_seconds", .double(brokerUnreachableSeconds))) }
            return String(decoding: JSONWriter.encode(.object(object)), as: UTF8.self)
        }
    }

    /// Live: the loop runs and polled within `pollWindow`. Ready: live, assigned, store writable, not stuck.
    public func report(pollWindow: Duration = .seconds(30)) -> Report {
        let now = HealthState.now()
        func age(_ value: Int64) -> Double? { value == 0 ? nil : Double(now - value) / 1e9 }
        let window = Double(pollWindow.components.seconds)
        let pollAge = age(lastPollNanoseconds.load(ordering: .relaxed))
        let live = running.load(ordering: .relaxed) && (pollAge.map { $0 <= window } ?? false)
        let stuck = age(stuckSinceNanoseconds.load(ordering: .relaxed))
        let writable = storeWritable.load(ordering: .relaxed)
        let assigned = assignedPartitions.load(ordering: .relaxed)
        let unreachable = brokerUnreachableMilliseconds.load(ordering: .relaxed)
        let overdue = brokerOverdue.load(ordering: .relaxed)
        return Report(
            live: live, ready: live && assigned > 0 && writable && stuck == nil && !overdue,
            secondsSincePoll: pollAge, secondsSinceCommit: age(lastCommitNanoseconds.load(ordering: .relaxed)), storeWritable: writable,
            assignedPartitions: assigned, stuckForSeconds: stuck,
            problem: overdue ? "the Kafka cluster has been unreachable for \(Double(unreachable) / 1000) s" : lastProblem.withLock { $0 },
            brokerUnreachableSeconds: unreachable > 0 ? Double(unreachable) / 1000 : nil)
    }
}
