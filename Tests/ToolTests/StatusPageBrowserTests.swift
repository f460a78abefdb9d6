import Foundation
import Kafka
import Testing
import WelfareTestSupport
import WorkerRuntime

/// The status page as an operator sees it: a volunteer-hours worker process with traffic, the page loaded
/// in Debian's headless Chromium, its rendered text checked and a screenshot saved.
@Suite("status page in a real browser", .timeLimit(.minutes(4)))
struct StatusPageBrowserTests {
    @Test("the rendered /status shows partitions, counts and a dead-letter row, and no name, identity or phone number from the input")
    func statusPageInChromium() async throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("welfare.volunteer-hours", partitions: 3)
        try broker.createTopic("welfare.volunteer-hours.dlq", partitions: 3)
        try broker.createTopic("welfare.notifications", partitions: 12)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("volunteer-hours.sqlite").path
        let port = freePort()
        let worker = try ChildProcess(TestPaths.executable("volunteer-hours-worker"), [
            "--config", TestPaths.repositoryRoot.appendingPathComponent("configs/volunteer-hours.dev.yaml").path,
            "--bootstrap-servers", broker.bootstrapServers, "--store", store,
        ], environment: ["WELFARE_HTTP_PORT": String(port), "WELFARE_HTTP_HOST": "127.0.0.1", "WELFARE_LOG_LEVEL": "warning"])
        defer { worker.signal(SIGKILL) }

        // Registrations with names, identity numbers and phones; some break the contract on purpose.
        let names = ["王小明", "李春华", "张建国", "刘芳芳", "陈志强", "杨丽娟"]
        var messages: [(key: String, value: [UInt8])] = []
        var personal: [String] = []
        for (index, name) in names.enumerated() {
            let id = "V-9\(index)"
            let number = testIdentityNumber(sequence: 300 + index)
            let phone = "1390000\(String(format: "%04d", 1234 + index))"
            personal += [name, number, phone, String(number.prefix(17))]
            // Every third has a phone that is too short: INVALID_DATA, whose detail must not echo it.
            let badPhone = index % 3 == 2 ? "1390000" : phone
            let data = #"{"volunteer_id":"\#(id)","name":"\#(name)","id_number":"\#(number)","phone":"\#(badPhone)","birth_date":"1990-01-01","district":"锦江区"}"#
            messages.append((id, Array(Self.event(id: "reg-\(index)", key: id, data: data).utf8)))
        }
        messages.append(("V-90", Array(Self.event(id: "mismatch-1", key: "V-91", data: #"{"volunteer_id":"V-91","name":"赵六","id_number":"\#(testIdentityNumber(sequence: 399))","phone":"13900009999","birth_date":"1990-01-01","district":"锦江区"}"#).utf8)))
        personal += ["赵六", testIdentityNumber(sequence: 399), "13900009999"]
        messages.append(("V-90", Array("{not json 13900001234".utf8)))
        try await publish(messages, topic: "welfare.volunteer-hours", bootstrap: broker.bootstrapServers)
        #expect(await waitForStoredProcessed(store, messages.count))

        let url = "http://127.0.0.1:\(port)/status"
        // The page refreshes its lag once a second; wait until every partition shows its offsets.
        #expect(try await eventuallyTrue { Self.fetch(url + ".json").map { !$0.contains("\"high_watermark\":null") } ?? false })
        let dom = try Self.chromium(["--dump-dom", url])
        #expect(dom.status == 0)
        let text = dom.output
        #expect(text.contains("Partitions of welfare.volunteer-hours"))
        for partition in 0..<3 { #expect(text.contains("<tr><td>\(partition)</td>"), "partition \(partition) has a row") }
        #expect(text.contains("applied <b>4</b>"), "four registrations were applied")
        #expect(text.contains("dead-lettered <b>4</b>"))
        #expect(text.contains("<td>INVALID_DATA</td><td class=\"num\">2</td>"))
        #expect(text.contains("<td>KEY_MISMATCH</td>"))
        #expect(text.contains("--dlq-topic welfare.volunteer-hours.dlq --position"))
        #expect(text.contains("mismatch-1"))
        let json = Self.fetch(url + ".json") ?? ""
        for value in personal {
            #expect(!text.contains(value), "the page shows personal data \(value.prefix(3))…")
            #expect(!json.contains(value), "status.json shows personal data \(value.prefix(3))…")
        }

        let screenshot = TestPaths.repositoryRoot.appendingPathComponent(".build/test-artifacts/status-page.png")
        try FileManager.default.createDirectory(at: screenshot.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: screenshot)
        let shot = try Self.chromium(["--screenshot=\(screenshot.path)", "--window-size=420,1600", url])
        #expect(shot.status == 0)
        let size = (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? NSNumber)?.intValue ?? 0
        #expect(size > 10_000, "a screenshot of a phone-sized window was saved at \(screenshot.path)")
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit()?.status == 0)
    }

    static func event(id: String, key: String, data: String) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"/test/status","type":"volunteer.registered.v1","time":"2026-05-10T09:00:00+08:00","subject":"\#(key)","data":\#(data)}"#
    }

    /// Headless Chromium as Debian ships it (as root it needs --no-sandbox); its own chatter goes to stderr.
    static func chromium(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        return try runProgram("/usr/bin/chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                                   "--user-data-dir=\(profile.path)", "--virtual-time-budget=2000"] + arguments)
    }

    static func fetch(_ url: String) -> String? {
        guard let url = URL(string: url) else { return nil }
        return try? String(contentsOf: url, encoding: .utf8)
    }
}
