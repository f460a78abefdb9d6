import Dispatch
import Foundation
import Synchronization
import Testing
@testable import WorkerRuntime

@Suite("the store writer thread")
struct WriterThreadTests {
    @Test("work runs in order on one named thread at the priority asked for, or the refusal is reported")
    func runsInOrderAtItsPriority() throws {
        let ownNice = getpriority(__priority_which_t(0), 0)
        let refusal = Mutex<Int32?>(nil)
        let writer = WriterThread(name: "test-writer", nice: -5) { error in refusal.withLock { $0 = error } }
        defer { writer.stop() }
        let seen = Mutex<[(index: Int, thread: String, nice: Int32)]>([])
        let group = DispatchGroup()
        for index in 0..<20 {
            writer.async(group: group) {
                errno = 0
                let nice = getpriority(__priority_which_t(0), 0)
                // The name the kernel shows (`top -H`, `perf`).
                let thread = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                seen.withLock { $0.append((index, thread ?? "", nice)) }
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

    @Test("work handed to a stopped writer does not run, and its group is left at once")
    func stoppedWriterLeavesTheGroup() {
        let writer = WriterThread(name: "test-writer", nice: 0)
        writer.stop()
        let ran = Atomic<Bool>(false)
        let group = DispatchGroup()
        writer.async(group: group) { ran.store(true, ordering: .relaxed) }
        #expect(group.wait(timeout: .now() + 5) == .success)
        let didRun = ran.load(ordering: .relaxed)
        #expect(!didRun)
    }
}
