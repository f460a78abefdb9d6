import Foundation
import Kafka
import Synchronization

/// What the status page shows, kept in memory: the engine updates it once per batch and once a second for
/// lag, and a page request only reads it (no store query per request). Counts go back one hour, per minute.
public final class StatusBoard: Sendable {
    /// Unchanging facts about the process.
    public struct Identity: Sendable {
        public var worker: String
        public var version: String
        public var storeEngine: String
        public var storePath: String
        public var brokerAddress: String
        public var allocator: String
        public var inputTopic: String
        public var deadLetterTopic: String

        public init(worker: String, version: String = WelfareVersion.current, storeEngine: String = "SQLite", storePath: String,
                    brokerAddress: String, allocator: String, inputTopic: String, deadLetterTopic: String) {
            self.worker = worker
            self.version = version
            self.storeEngine = storeEngine
            self.storePath = storePath
            self.brokerAddress = brokerAddress
            self.allocator = allocator
            self.inputTopic = inputTopic
            self.deadLetterTopic = deadLetterTopic
        }
    }

    /// One input partition as the worker last saw it.
    public struct PartitionStatus: Sendable, Equatable {
        public var partition: Int32
        /// The next offset kept in the store (what the worker reads next).
        public var nextOffset: Int64?
        public var highWatermark: Int64?
        public var paused = false
        public var lastBatch: Date?

        public var lag: Int64? {
            guard let highWatermark else { return nil }
            return max(0, highWatermark - (nextOffset ?? 0))
        }
    }

    /// The outcomes of one minute.
    public struct MinuteCounts: Sendable, Equatable {
        /// Minutes since the epoch.
        public var minute: Int64
        public var applied = 0
        public var rejected = 0
        public var duplicate = 0
        public var deadLettered = 0
        public var deadLettersByReason: [String: Int] = [:]
    }

    /// One dead letter as the page lists it: no message content, only where it was and why.
    public struct DeadLetterEntry: Sendable, Equatable {
        public var time: Date
        public var topic: String
        public var partition: Int32
        public var offset: Int64
        public var reason: String
        public var detail: String
        public var eventID: String?

        public init(time: Date, topic: String, partition: Int32, offset: Int64, reason: String, detail: String, eventID: String?) {
            self.time = time
            self.topic = topic
            self.partition = partition
            self.offset = offset
            self.reason = reason
            self.detail = detail
            self.eventID = eventID
        }
    }

    /// Everything the page shows, read at one instant.
    public struct Snapshot: Sendable {
        public let identity: Identity
        public let startedAt: Date
        public let now: Date
        public let partitions: [PartitionStatus]
        /// Sixty minutes, oldest first, the current one last (minutes without messages have zero counts).
        public let minutes: [MinuteCounts]
        public let recentDeadLetters: [DeadLetterEntry]
        public let outboxBacklog: Int
        public let oldestUndeliveredSeconds: Double?
        public let storeBytes: Int64

        public var deadLettersLastHour: [(reason: String, count: Int)] {
            var totals: [String: Int] = [:]
            for minute in minutes { totals.merge(minute.deadLettersByReason, uniquingKeysWith: +) }
            return totals.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ($0.key, $0.value) }
        }
    }

    fileprivate struct State {
        var identity: Identity
        var ring: [MinuteCounts] = []
        var partitions: [Int32: PartitionStatus] = [:]
        var recent: [DeadLetterEntry] = []
        var outboxBacklog = 0
        var oldestUndeliveredSeconds: Double?
    }

    /// How many dead letters the page lists.
    public static let recentLimit = 20
    private let state: Mutex<State>
    public let startedAt: Date

    public init(identity: Identity, startedAt: Date = Date()) {
        state = Mutex(State(identity: identity))
        self.startedAt = startedAt
    }

    /// The broker address, once known (an embedded broker is started after the board).
    public func setBrokerAddress(_ address: String) { state.withLock { $0.identity.brokerAddress = address } }

    /// Records one committed batch; its dead letters are stamped with `time`.
    public func recordBatch(outcomes: [OutcomeKey: Int], deadLetters: [DeadLetterEntry], nextOffsets: [TopicPartition: Int64], at time: Date = Date()) {
        let deadLetters = deadLetters.map { letter in
            var stamped = letter
            stamped.time = time
            return stamped
        }
        let minute = Int64(time.timeIntervalSince1970 / 60)
        state.withLock { state in
            var counts = state.counts(for: minute)
            for (key, count) in outcomes {
                switch key.outcome {
                case .applied: counts.applied += count
                case .rejected: counts.rejected += count
                case .duplicate: counts.duplicate += count
                case .deadLettered: counts.deadLettered += count
                }
            }
            for letter in deadLetters { counts.deadLettersByReason[letter.reason, default: 0] += 1 }
            state.store(counts)
            state.recent.append(contentsOf: deadLetters.suffix(Self.recentLimit))
            if state.recent.count > Self.recentLimit { state.recent.removeFirst(state.recent.count - Self.recentLimit) }
            for (partition, next) in nextOffsets {
                state.partitions[partition.partition, default: PartitionStatus(partition: partition.partition)].nextOffset = next
                state.partitions[partition.partition, default: PartitionStatus(partition: partition.partition)].lastBatch = time
            }
        }
    }

    /// The partitions assigned now (others are dropped from the page).
    public func setAssigned(_ partitions: [Int32]) {
        state.withLock { state in
            let keep = Set(partitions)
            state.partitions = state.partitions.filter { keep.contains($0.key) }
            for partition in partitions where state.partitions[partition] == nil { state.partitions[partition] = PartitionStatus(partition: partition) }
        }
    }

    /// A partition's offsets as the lag update reads them.
    public func setOffsets(partition: Int32, next: Int64?, high: Int64) {
        state.withLock { state in
            state.partitions[partition, default: PartitionStatus(partition: partition)].highWatermark = high
            if let next { state.partitions[partition, default: PartitionStatus(partition: partition)].nextOffset = next }
        }
    }

    public func setPaused(_ paused: Bool) {
        state.withLock { state in
            for key in state.partitions.keys { state.partitions[key]?.paused = paused }
        }
    }

    public func setOutbox(backlog: Int, oldestUndeliveredSeconds: Double?) {
        state.withLock { state in
            state.outboxBacklog = backlog
            state.oldestUndeliveredSeconds = oldestUndeliveredSeconds
        }
    }

    /// What the page shows now.
    public func snapshot(now: Date = Date()) -> Snapshot {
        let current = Int64(now.timeIntervalSince1970 / 60)
        let (identity, minutes, partitions, recent, backlog, oldest) = state.withLock { state in
            let byMinute = Dictionary(state.ring.map { ($0.minute, $0) }, uniquingKeysWith: { $1 })
            let minutes = ((current - 59)...current).map { byMinute[$0] ?? MinuteCounts(minute: $0) }
            return (state.identity, minutes, state.partitions.values.sorted { $0.partition < $1.partition }, state.recent,
                    state.outboxBacklog, state.oldestUndeliveredSeconds)
        }
        let storeBytes = ["", "-wal"].reduce(Int64(0)) { total, suffix in
            let size = (try? FileManager.default.attributesOfItem(atPath: identity.storePath + suffix)[.size] as? NSNumber)?.int64Value
            return total + (size ?? 0)
        }
        return Snapshot(identity: identity, startedAt: startedAt, now: now, partitions: partitions, minutes: minutes,
                        recentDeadLetters: recent.reversed(), outboxBacklog: backlog, oldestUndeliveredSeconds: oldest, storeBytes: storeBytes)
    }
}

extension StatusBoard.State {
    /// The counts of `minute`, new if the ring has none for it.
    fileprivate func counts(for minute: Int64) -> StatusBoard.MinuteCounts {
        ring.first { $0.minute == minute } ?? StatusBoard.MinuteCounts(minute: minute)
    }

    /// Keeps `counts` and at most the sixty minutes before it.
    fileprivate mutating func store(_ counts: StatusBoard.MinuteCounts) {
        if let index = ring.firstIndex(where: { $0.minute == counts.minute }) {
            ring[index] = counts
        } else {
            ring.append(counts)
        }
        ring.removeAll { $0.minute <= counts.minute - 60 }
    }
}
