import Foundation
import Kafka
import Logging
import Testing
import WorkerRuntime

@Suite("broker watch")
struct BrokerWatchTests {
    @Test("all brokers down starts the clock, the warning time passes once, any sign of life stops it")
    func clock() async throws {
        let watch = BrokerWatch(warningAfter: .milliseconds(200), logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        #expect(watch.unreachableFor == nil)
        watch.record(KafkaError(code: -195, name: "_TIMED_OUT", message: "x", isRetriable: true, isFatal: false))
        #expect(watch.unreachableFor == nil, "other errors do not count")
        watch.record(KafkaError(code: -187, name: "_ALL_BROKERS_DOWN", message: "2/2 brokers are down", isRetriable: true, isFatal: false))
        #expect(watch.unreachableFor != nil)
        #expect(!watch.overdue)
        try await Task.sleep(for: .milliseconds(300))
        #expect(watch.overdue)
        #expect(watch.tick(), "a probe is due")
        #expect(!watch.tick(), "at most one probe a second")
        watch.reachable()
        #expect(watch.unreachableFor == nil && !watch.overdue)
    }
}
