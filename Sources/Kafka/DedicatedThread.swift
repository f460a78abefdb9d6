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
    public init(name: String) {
        startThread(named: name) { [shared] in
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
            let accepted = shared.state.withLock { state -> Bool in
                guard !state.stopped else { return false }
                state.queue.append {
                    do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
                }
                return true
            }
            if accepted {
                shared.wakeUp.signal()
            } else {
                continuation.resume(throwing: KafkaError.client("the dedicated thread has stopped"))
            }
        }
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
