import MemoryAllocator
import Testing
import WorkerRuntime

@Suite("memory allocator")
struct MemoryAllocatorTests {
    @Test("processes run on jemalloc with its memory given back after a second, not on glibc's malloc")
    func jemallocWithShortDecay() {
        #expect(WorkerLauncher.allocator.hasPrefix("jemalloc "))
        var dirty = -1
        var muzzy = -1
        #expect(welfare_allocator_setting("opt.dirty_decay_ms", &dirty) == 0)
        #expect(welfare_allocator_setting("opt.muzzy_decay_ms", &muzzy) == 0)
        #expect(dirty == 1_000)
        #expect(muzzy == 0)
    }
}
