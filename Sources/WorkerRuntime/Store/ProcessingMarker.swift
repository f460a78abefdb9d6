import FatalSignalRecorder
import Foundation
import Kafka
import Synchronization

/// A small file beside the store (`<store>.processing`) naming the input messages a transaction is working
/// on while it runs. A process that dies in the middle of one (a signal, a trap, out of memory) leaves it
/// behind, so the next start knows which messages it was handling and can narrow them down to the one that
/// kills it (`WORKER_CRASHED`); a transaction that ends, committed or not, empties it. Written without fsync:
/// a process's death keeps what it wrote, and a host that loses it blames nothing.
///
/// Only the store's writer thread calls `begin` and `end`, one transaction at a time. Unchecked for that
/// reason: the file descriptor and buffer it reuses are touched by that one thread only.
public final class ProcessingMarker: CrashMarker, @unchecked Sendable {
    /// Consecutive input messages of one partition: offsets `from` through `to`.
    public struct Span: Sendable, Equatable {
        public let partition: Int32
        public let from: Int64
        public let to: Int64

        public func contains(_ message: ConsumedMessage) -> Bool { message.partition == partition && message.offset >= from && message.offset <= to }
    }

    /// What an earlier process left: the messages it was handling when it died.
    public struct Left: Sendable, Equatable {
        public let spans: [Span]
        /// Deaths already counted against these messages (only ever for a single message handled alone).
        public let crashes: Int
        /// The signal it died of, when its handler could write it.
        public let signal: Int32?
        /// How many messages the dying transaction handled in all, when the spans are only part of them (a
        /// shared store keeps one row per partition); nil when the spans are all of them.
        public let messages: Int?

        public init(spans: [Span], crashes: Int, signal: Int32?, messages: Int? = nil) {
            self.spans = spans
            self.crashes = crashes
            self.signal = signal
            self.messages = messages
        }
    }

    public let path: String
    /// What the previous process left, read at open (nil after a clean stop).
    public let left: Left?
    private let descriptor: Int32
    /// The partitions of `left` not yet reported by `left(in:)`.
    private let unreported: Mutex<Set<Int32>>

    public init(storePath: String) throws {
        path = storePath + ".processing"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError("cannot open \(path): \(String(cString: strerror(errno)))") }
        descriptor = fd
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var offset: off_t = 0
        while true {
            let count = pread(fd, &buffer, buffer.count, offset)
            guard count > 0 else { break }
            bytes += buffer.prefix(count)
            offset += off_t(count)
        }
        left = Self.parse(String(decoding: bytes, as: UTF8.self))
        unreported = Mutex(Set(left?.spans.map(\.partition) ?? []))
        _ = welfare_record_fatal_signals(fd)
    }

    deinit { close(descriptor) }

    /// Before a transaction: the messages it handles, and the deaths already counted against them.
    public func begin(_ messages: [ConsumedMessage], crashes: Int = 0) {
        var text = "crashes \(crashes)\n"
        for span in Self.spans(of: messages) { text += "p \(span.partition) \(span.from) \(span.to)\n" }
        let bytes = Array(text.utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, bytes, bytes.count, 0)
        welfare_fatal_signal_offset(bytes.count)
    }

    /// After the transaction, whatever its result.
    public func end() {
        welfare_fatal_signal_offset(0)
        _ = ftruncate(descriptor, 0)
    }

    /// What the previous process left about these partitions, each partition once: a worker that reads every
    /// partition asks once, at start.
    public func left(in partitions: [TopicPartition]) -> [Left] {
        guard let left else { return [] }
        let wanted = unreported.withLock { unreported in
            let wanted = unreported.intersection(partitions.map(\.partition))
            unreported.subtract(wanted)
            return wanted
        }
        let spans = left.spans.filter { wanted.contains($0.partition) }
        return spans.isEmpty ? [] : [Left(spans: spans, crashes: left.crashes, signal: left.signal)]
    }

    /// The spans of messages in their order: one per run of a partition's messages (a batch holds each
    /// partition's messages in offset order).
    public static func spans(of messages: some Collection<ConsumedMessage>) -> [Span] {
        var first: [Int32: Int64] = [:]
        var last: [Int32: Int64] = [:]
        var order: [Int32] = []
        for message in messages {
            if first[message.partition] == nil { first[message.partition] = message.offset; order.append(message.partition) }
            last[message.partition] = message.offset
        }
        return order.compactMap { partition in
            guard let from = first[partition], let to = last[partition] else { return nil }
            return Span(partition: partition, from: from, to: to)
        }
    }

    static func parse(_ text: String) -> Left? {
        var spans: [Span] = []
        var crashes = 0
        var signal: Int32?
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            switch fields.first {
            case "crashes": crashes = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
            case "signal": signal = fields.count > 1 ? Int32(fields[1]) : nil
            case "p":
                guard fields.count == 4, let partition = Int32(fields[1]), let from = Int64(fields[2]), let to = Int64(fields[3]), from <= to else { continue }
                spans.append(Span(partition: partition, from: from, to: to))
            default: continue
            }
        }
        return spans.isEmpty ? nil : Left(spans: spans, crashes: crashes, signal: signal)
    }
}
