import Dispatch
import Foundation
import Kafka

/// One step of what a start does after the previous process died while handling messages.
enum CrashStep: Sendable {
    /// The messages the dead process was handling: handled again, in halves when there are several.
    case diedDuring(spans: [ProcessingMarker.Span], crashes: Int, signal: Int32?)
    /// Messages to handle alone, in one transaction.
    case alone(spans: [ProcessingMarker.Span], crashes: Int)
    /// A message that killed the process `crashes` times while handled alone: dead-lettered unhandled.
    case deadLetter(spans: [ProcessingMarker.Span], crashes: Int, signal: Int32?)

    /// The messages the step handles.
    var spans: [ProcessingMarker.Span] {
        switch self {
        case .diedDuring(let spans, _, _), .alone(let spans, _), .deadLetter(let spans, _, _): spans
        }
    }
}

/// Poison messages: a batch that fails with an error no retry cures is applied in halves until the one
/// message that fails alone is found (`PROCESSING_FAILED` after `processing.max_attempts` attempts of it
/// alone); a process that died while handling a batch narrows that batch on its next starts until the one
/// message that kills it alone is found (`WORKER_CRASHED` after `processing.max_crashes` deaths).
extension EngineLoop {
    /// Runs `body` on the writer thread and waits for it.
    private func onWriter<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> Result<T, any Error> {
        let box = ResultBox<T>()
        let group = DispatchGroup()
        writer.async(group: group) { box.result = Result { try body() } }
        group.wait()
        return box.result ?? .failure(StoreError("the writer thread gave no result"))
    }

    /// A batch failed with an error a retry cannot cure: apply it in halves, in order, down to single
    /// messages; a message that fails alone `processing.max_attempts` times is dead-lettered with
    /// `PROCESSING_FAILED` and the rest is applied as if it had never been there. A transient fault on the
    /// way stops the search; the messages not yet applied stay carried and are retried after a backoff.
    func isolateFailure(of batch: [ConsumedMessage], error: any Error, confirmed: [Int64], _ consumer: Consumer, _ producer: Producer) {
        logger.warning("a batch failed with an error a retry cannot cure; applying it in parts to find the message",
                       metadata: ["messages": "\(batch.count)", "error": "\(error)"])
        var pending: [ArraySlice<ConsumedMessage>] = batch.count > 1 ? Self.halves(batch[...]) : [batch[...]]
        var deleting = confirmed
        var knownFailure: (any Error)? = batch.count == 1 ? error : nil
        while let range = pending.first {
            pending.removeFirst()
            if range.count > 1 {
                switch attempt(Array(range), deleting: deleting, consumer, producer) {
                case .applied: deleting = []
                case .failed: pending.insert(contentsOf: Self.halves(range), at: 0)
                case .transient(let failure): return storeFailed(failure, confirmed: deleting, consumer)
                }
                continue
            }
            // One message alone: its attempts count, up to processing.max_attempts in all.
            var attempts = 0
            var lastError = knownFailure
            if knownFailure != nil { attempts = 1; knownFailure = nil }
            var applied = false
            while attempts < settings.maxAttempts && !applied {
                switch attempt(Array(range), deleting: deleting, consumer, producer) {
                case .applied: applied = true; deleting = []
                case .failed(let failure): attempts += 1; lastError = failure
                case .transient(let failure): return storeFailed(failure, confirmed: deleting, consumer)
                }
            }
            if applied { continue }
            let detail = "handling failed \(attempts) times alone: \(lastError.map { "\($0)" } ?? "unknown error")"
            logger.error("dead-lettering a message the worker cannot process", metadata: [
                "reason": "PROCESSING_FAILED", "partition": "\(range.first?.partition ?? -1)", "offset": "\(range.first?.offset ?? -1)", "detail": "\(detail)",
            ])
            switch attempt(Array(range), deleting: deleting, deadLetteringAs: (.processingFailed, detail), consumer, producer) {
            case .applied: deleting = []
            case .failed(let failure), .transient(let failure): return storeFailed(failure, confirmed: deleting, consumer)
            }
        }
        storeRetry.reset()
        health.committed()
        metrics.setHealthy(true)
        updateLag(consumer)
    }

    /// What one transaction of a search came to.
    private enum Attempt {
        case applied
        case failed(any Error)
        case transient(any Error)
    }

    /// One transaction over `messages`; when it commits, its outbox goes to the producer and the messages
    /// leave `carried`.
    private func attempt(_ messages: [ConsumedMessage], deleting: [Int64], crashes: Int = 0,
                         deadLetteringAs forced: (reason: DeadLetterReason, detail: String)? = nil,
                         _ consumer: Consumer, _ producer: Producer) -> Attempt {
        let confirmed = deleting
        switch onWriter({ [engine] in try engine.commit(messages, deleting: confirmed, crashes: crashes, deadLetteringAs: forced) }) {
        case .success(let result):
            let done = Set(messages.map { Position($0) })
            carried.removeAll { done.contains(Position($0)) }
            send(result.outbox, producer)
            try? consumer.commitAsync(result.nextOffsets)
            return .applied
        case .failure(let error):
            return StoreFault.isTransient(error) ? .transient(error) : .failed(error)
        }
    }

    private static func halves(_ range: ArraySlice<ConsumedMessage>) -> [ArraySlice<ConsumedMessage>] {
        let middle = range.startIndex + range.count / 2
        return [range[..<middle], range[middle...]]
    }

    // MARK: - After a death

    /// After taking partitions (at start, or from the consumer group): what a process that died while handling
    /// their messages left in the marker, planned as steps that narrow those messages down.
    func planAfterDeath(in partitions: [TopicPartition]) {
        guard let marker, !partitions.isEmpty else { return }
        let lefts = marker.left(in: partitions)
        guard !lefts.isEmpty else { return }
        // Spans the store already has (a death between the commit and the marker's end) are done.
        let nextOffsets = (try? store.nextOffsets(topic: settings.inputTopic)) ?? [:]
        let unfinished = { (span: ProcessingMarker.Span) -> ProcessingMarker.Span? in
            let from = max(span.from, nextOffsets[span.partition] ?? 0)
            return from <= span.to ? ProcessingMarker.Span(partition: span.partition, from: from, to: span.to) : nil
        }
        var steps: [CrashStep] = []
        // A shared store's rows are one partition's share of a dead transaction each, and several deaths may
        // have left rows for one partition: the narrowest (then the most counted) says most.
        var shares: [Int32: (span: ProcessingMarker.Span, left: ProcessingMarker.Left)] = [:]
        for left in lefts {
            let spans = left.spans.compactMap(unfinished)
            guard !spans.isEmpty else { continue }
            guard left.messages != nil else {
                steps.append(.diedDuring(spans: spans, crashes: left.crashes, signal: left.signal))
                continue
            }
            for span in spans {
                let weight = { (span: ProcessingMarker.Span, left: ProcessingMarker.Left) in (span.to - span.from, -(left.messages == 1 ? left.crashes + 1 : 0)) }
                if let known = shares[span.partition], weight(known.span, known.left) <= weight(span, left) { continue }
                shares[span.partition] = (span, left)
            }
        }
        for (_, share) in shares.sorted(by: { $0.key < $1.key }) {
            if share.left.messages == 1 {
                // It died handling this message alone: the death counts.
                steps.append(.diedDuring(spans: [share.span], crashes: share.left.crashes, signal: share.left.signal))
            } else if share.span.from == share.span.to {
                // One message of a larger transaction: handled alone, no death counted against it yet.
                steps.append(.alone(spans: [share.span], crashes: 0))
            } else {
                steps.append(.diedDuring(spans: [share.span], crashes: 0, signal: share.left.signal))
            }
        }
        guard !steps.isEmpty else { return }
        let spans = steps.flatMap(\.spans)
        let signal = lefts.compactMap(\.signal).first
        logger.warning("a process died while handling messages; handling them again in smaller parts", metadata: [
            "spans": "\(spans.map { "\($0.partition):\($0.from)-\($0.to)" })", "signal": "\(signal.map { String($0) } ?? "unknown")",
        ])
        crashPlan += steps
    }

    /// Drops the steps of partitions the group took away (their next owner reads the marker for itself) and
    /// returns the partitions those steps were narrowing.
    @discardableResult
    func dropCrashSteps(of partitions: Set<TopicPartition>) -> Set<Int32> {
        let numbers = Set(partitions.map(\.partition))
        var narrowing: Set<Int32> = []
        crashPlan.removeAll { step in
            guard step.spans.contains(where: { numbers.contains($0.partition) }) else { return false }
            narrowing.formUnion(step.spans.map(\.partition))
            return true
        }
        return narrowing
    }

    /// One turn of the loop while the crash plan has steps: wait until its messages are carried, then
    /// handle them as the step says.
    func stepThroughCrashPlan(_ consumer: Consumer, _ producer: Producer) {
        guard let next = crashPlan.first else { return }
        let spans = next.spans
        // Every span's last message must be carried before the step can run (the consumer reads from the
        // store's offsets, so they come first on their partitions).
        let missing = spans.contains { span in !carried.contains { $0.partition == span.partition && $0.offset >= span.to } }
        if missing {
            sendCommitted(consumer, producer)
            pollInto(consumer, maxWait: .milliseconds(100), upTo: carried.count + 2 * settings.batchMaxMessages)
            return
        }
        let messages = carried.filter { message in spans.contains { $0.contains(message) } }
        sendCommitted(consumer, producer)
        let confirmed = deliveries.takeConfirmed()
        switch next {
        case .diedDuring(_, let crashes, let signal):
            crashPlan.removeFirst()
            if messages.count == 1 {
                let deaths = crashes + 1
                let step: CrashStep = deaths >= settings.maxCrashes
                    ? .deadLetter(spans: spans, crashes: deaths, signal: signal) : .alone(spans: spans, crashes: deaths)
                crashPlan.insert(step, at: 0)
            } else if messages.count > 1 {
                let halves = Self.halves(messages[...]).map { CrashStep.alone(spans: ProcessingMarker.spans(of: $0), crashes: 0) }
                crashPlan.insert(contentsOf: halves, at: 0)
            }
            // None: the messages are gone from the topic (retention); nothing is left to narrow.
            deliveries.restoreConfirmed(confirmed)
        case .alone(_, let crashes):
            switch attempt(messages, deleting: confirmed, crashes: crashes, consumer, producer) {
            case .applied: crashPlan.removeFirst()
            case .failed(let error):
                crashPlan.removeFirst()
                isolateFailure(of: messages, error: error, confirmed: [], consumer, producer)
            case .transient(let error): storeFailed(error, confirmed: confirmed, consumer)
            }
        case .deadLetter(_, let crashes, let signal):
            let detail = "the worker died \(crashes) times while handling this message alone" +
                (signal.map { " (last: signal \($0)\(Self.signalName($0).map { ", \($0)" } ?? ""))" } ?? " (signal or exit status unknown)")
            logger.error("dead-lettering a message the worker dies of", metadata: [
                "reason": "WORKER_CRASHED", "partition": "\(messages.first?.partition ?? -1)", "offset": "\(messages.first?.offset ?? -1)", "detail": "\(detail)",
            ])
            switch attempt(messages, deleting: confirmed, deadLetteringAs: (.workerCrashed, detail), consumer, producer) {
            case .applied: crashPlan.removeFirst()
            case .failed(let error), .transient(let error): storeFailed(error, confirmed: confirmed, consumer)
            }
        }
    }

    private static func signalName(_ number: Int32) -> String? {
        [SIGILL: "SIGILL", SIGTRAP: "SIGTRAP", SIGSEGV: "SIGSEGV", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGABRT: "SIGABRT"][number]
    }
}

/// A message's place in its topic, to find it among the carried ones.
private struct Position: Hashable {
    let partition: Int32
    let offset: Int64
    init(_ message: ConsumedMessage) {
        partition = message.partition
        offset = message.offset
    }
}

/// The result of work handed to the writer thread. Unchecked: the writer thread writes it once, and the
/// `DispatchGroup` wait orders that write before the only read.
private final class ResultBox<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
