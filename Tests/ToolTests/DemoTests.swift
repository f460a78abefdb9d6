import Foundation
import Testing
import WelfareTestSupport

@Suite("the one-command demo", .timeLimit(.minutes(3)))
struct DemoTests {
    @Test("welfare-demo in a reduced size runs the broker and three workers, reports outcomes, dead letters, notifications and a claim, and exits 0")
    func demoReport() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.executable("welfare-demo"))
        process.arguments = ["--events", "300", "--directory", directory]
        process.currentDirectoryURL = TestPaths.repositoryRoot
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        for section in ["== Outcomes per worker", "== Dead letters by reason", "== Notifications on welfare.notifications", "== claim-status"] {
            #expect(text.contains(section), "missing \(section)")
        }
        for worker in ["volunteer-hours: applied", "mutual-aid-claims: applied", "new-employment-benefits: applied"] {
            #expect(text.contains(worker))
        }
        #expect(text.contains("MALFORMED_JSON"), "the sample day includes malformed messages")
        #expect(text.contains("互助申请 C-"), "a claim-status example is printed")
        #expect(!text.contains("exited with status"), "every process stopped cleanly")
        // Each worker's status page is announced while the day runs and summarised at the end.
        for worker in ["volunteer-hours", "mutual-aid-claims", "new-employment-benefits"] {
            #expect(text.contains("started \(worker)-worker") && text.contains("status page http://127.0.0.1:"))
        }
        #expect(text.contains("== Status pages"))
        #expect(!text.contains("did not answer"), "every status page answered")
        #expect(text.components(separatedBy: "    last hour: applied ").count - 1 == 3)
        #expect(text.components(separatedBy: "partitions, lag 0; outbox backlog 0").count - 1 == 3)
    }
}
