import Dispatch
import Foundation
import Synchronization
import Testing
import Kafka

@Suite("dedicated threads")
struct DedicatedThreadTests {
    @Test("work runs in order on one named thread at the priority asked for, or the refusal is reported")
    func runsInOrderAtItsPriority() throws {
        let ownNice = getpriority(__priority_which_t(0), 0)
        let refusal = Mutex<Int32?>(nil)
        let thread = DedicatedThread(name: "test-writer", nice: -5) { error in refusal.withLock { $0 = error } }
        defer { thread.stop() }
        let seen = Mutex<[(index: Int, thread: String, nice: Int32)]>([])
        let group = DispatchGroup()
        for index in 0..<20 {
            thread.async(group: group) {
                let nice = getpriority(__priority_which_t(0), 0)
                // The name the kernel shows (`top -H`, `perf`).
                let kernelName = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                seen.withLock { $0.append((index, kernelName ?? "", nice)) }
            }
        }
        #expect(group.wait(timeout: .now() + 10) == .success)
        let runs = seen.withLock { $0 }
        #expect(runs.map(\.index) == Array(0..<20))
        #expect(Set(runs.map(\.thread)) == ["test-writer"])
        if let error = refusal.withLock({ $0 }) {
            // Without CAP_SYS_NICE or a permitting RLIMIT_NICE the thread keeps the priority it started with.
            #expect(error == EACCES || error == EPERM)
            #expect(Set(runs.map(\.nice)) == [ownNice])
        } else {
            #expect(Set(runs.map(\.nice)) == [-5])
        }
    }

    @Test("work handed to a stopped thread does not run, and its group is left at once")
    func stoppedThreadLeavesTheGroup() {
        let thread = DedicatedThread(name: "test-writer")
        thread.stop()
        let ran = Atomic<Bool>(false)
        let group = DispatchGroup()
        thread.async(group: group) { ran.store(true, ordering: .relaxed) }
        #expect(group.wait(timeout: .now() + 5) == .success)
        let didRun = ran.load(ordering: .relaxed)
        #expect(!didRun)
    }
}
