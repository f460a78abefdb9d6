import Foundation
import Kafka
import Synchronization

/// The thread that runs a worker's SQLite transactions, one at a time, at a raised scheduling priority
/// when the system allows it.
///
/// The single writer is the worker's bottleneck, and on a small machine it shares the cores with the
/// threads that feed it (checks, rendering, librdkafka). At the default priority it spent ~15 % of each
/// transaction waiting for a core while they ran (where it may, libdispatch runs the user-initiated checking
/// and rendering queues at nice −4). Raising a thread's priority needs `CAP_SYS_NICE` or an
/// `RLIMIT_NICE` that allows it (`LimitNICE=` in the systemd units); refused, the thread runs at the normal
/// priority. A thread of its own rather than a dispatch queue, so that the priority stays with the writer
/// instead of with a pool thread that later runs other work.
final class WriterThread: Sendable {
    private struct State: ~Copyable {
        var queue: [@Sendable () -> Void] = []
        var stopped = false
    }

    /// Shared with the thread, which must not keep `self` alive.
    private final class Shared: Sendable {
        let state = Mutex(State())
        let wakeUp = DispatchSemaphore(value: 0)
    }

    private let shared = Shared()

    /// Starts the thread. `nice` is the scheduling priority it asks for (−20…19; 0 leaves it alone);
    /// `refused` hears, on the thread, the `errno` of a refusal.
    init(name: String, nice: Int32, refused: @escaping @Sendable (Int32) -> Void = { _ in }) {
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

    /// Runs `body` on the thread; `group` is entered here and left once `body` has run (or at once when
    /// the thread has stopped and `body` will not run).
    func async(group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let accepted = shared.state.withLock { state -> Bool in
            guard !state.stopped else { return false }
            state.queue.append {
                body()
                group.leave()
            }
            return true
        }
        if accepted {
            shared.wakeUp.signal()
        } else {
            group.leave()
        }
    }

    /// Lets the work already queued finish, then ends the thread.
    func stop() {
        let wasRunning = shared.state.withLock { state -> Bool in
            defer { state.stopped = true }
            return !state.stopped
        }
        if wasRunning { shared.wakeUp.signal() }
    }

    deinit { stop() }
}
