import Foundation
import Synchronization

/// An operating-system thread of its own that runs blocking work handed to it, one item at a time.
///
/// librdkafka and SQLite calls block; run them here, never on Swift's cooperative thread pool.
public final class DedicatedThread: Sendable {
    private struct State: ~Copyable {
        var queue: [@Sendable () -> Void] = []
        var stopped = false
    }

    /// The queue, shared with the thread (which must not keep `self` alive).
    private final class Shared: Sendable {
        let state = Mutex(State())
        let wakeUp = DispatchSemaphore(value: 0)
    }

    private let shared = Shared()

    /// Starts a thread with the given name (seen in debuggers and `top -H`; Linux keeps no name longer than 15 bytes).
    /// `nice` is the scheduling priority the thread asks for (−20…19; 0 leaves it alone); raising it needs
    /// `CAP_SYS_NICE` or an `RLIMIT_NICE` that allows it, and `refused` hears, on the thread, the `errno` of a refusal.
    public init(name: String, nice: Int32 = 0, refused: @escaping @Sendable (Int32) -> Void = { _ in }) {
        startThread(named: name) { [shared] in
            // On Linux a priority belongs to a thread, and `who` 0 names the calling one.
            if nice != 0 && setpriority(__priority_which_t(0), 0, nice) != 0 { refused(errno) }
            while true {
                shared.wakeUp.wait()
                let next: (@Sendable () -> Void)? = shared.state.withLock { state in
                    state.queue.isEmpty ? nil : state.queue.removeFirst()
                }
                guard let next else { return }  // woken with an empty queue: stopped
                next()
            }
        }
    }

    /// Runs `body` on the thread and returns its result to the awaiting task.
    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let accepted = enqueue {
                do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
            }
            if !accepted { continuation.resume(throwing: KafkaError.client("the dedicated thread has stopped")) }
        }
    }

    /// Runs `body` on the thread without waiting for it: `group` is entered here and left once `body` has
    /// run, or at once when the thread has stopped and `body` will not run.
    public func async(group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let accepted = enqueue {
            body()
            group.leave()
        }
        if !accepted { group.leave() }
    }

    /// Queues work for the thread and wakes it; false once the thread has stopped.
    private func enqueue(_ work: @escaping @Sendable () -> Void) -> Bool {
        let accepted = shared.state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.queue.append(work)
            return true
        }
        if accepted { shared.wakeUp.signal() }
        return accepted
    }

    /// Lets the work already queued finish, then ends the thread.
    public func stop() {
        let wasRunning = shared.state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        if wasRunning { shared.wakeUp.signal() }
    }

    deinit { stop() }
}

/// Runs one blocking call on a fresh thread of its own and awaits its result.
public func onDedicatedThread<T: Sendable, E: Error>(
    name: String = "blocking", _ body: @escaping @Sendable () throws(E) -> T
) async throws -> T {
    let thread = DedicatedThread(name: name)
    defer { thread.stop() }
    return try await thread.run(body)
}
