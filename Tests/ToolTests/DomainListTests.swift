import Foundation
import Kafka
import Testing
import TopicCatalogue
import WelfareDomains
import WelfareTestSupport
import WorkerRuntime

/// The one list of domains (`WelfareDomains`) and the path README's "Adding a domain" walks: a module, a
/// catalogue entry, a thin executable and an entry in the list.
@Suite("the list of domains")
struct DomainListTests {
    @Test("every listed domain has its input and dead-letter topics in the catalogue, its executable built and its development config")
    func everyDomainIsComplete() throws {
        let root = TestPaths.repositoryRoot
        let catalogue = try TopicCatalogue.load(from: root.appendingPathComponent("topics/catalogue.yaml").path)
        #expect(WelfareDomains.all.map(\.name) == ["volunteer-hours", "mutual-aid-claims", "new-employment-benefits"])
        for entry in WelfareDomains.all {
            let input = try #require(catalogue.topics.first { $0.name == entry.inputTopic }, "\(entry.inputTopic) is not in the catalogue")
            #expect(input.role == .input)
            #expect(input.consumer == entry.executable)
            #expect(input.deadLetterTopic == entry.deadLetterTopic)
            #expect(catalogue.topics.contains { $0.name == entry.deadLetterTopic && $0.role == .deadLetter })
            #expect(FileManager.default.isExecutableFile(atPath: TestPaths.executable(entry.executable)), "\(entry.executable) is not built")
            let config = try #require(entry.developmentConfig)
            #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(config).path), "\(config) is missing")
            #expect(WelfareDomains.named(entry.name)?.executable == entry.executable)
            // The development secrets are enough to build the handler, as a worker process would.
            #expect(try entry.makeHandler().workerName == entry.name)
        }
    }

    @Test("a domain added the way README says (module, catalogue entry, thin executable, list entry) runs end to end: the tally domain")
    func addingADomainRunsEndToEnd() async throws {
        let entry = WelfareDomains.tally
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        // 1. The catalogue entry: the project's catalogue with the new input topic and its dead-letter topic.
        let catalogueText = try String(contentsOf: TestPaths.repositoryRoot.appendingPathComponent("topics/catalogue.yaml"), encoding: .utf8)
        let catalogue = directory.appendingPathComponent("catalogue.yaml")
        try (catalogueText + """
              - name: \(entry.inputTopic)
                role: input
                partitions: 4
                key: tally_id
                retention_days: 14
                dead_letter_topic: \(entry.deadLetterTopic)
                consumer: \(entry.executable)
              - name: \(entry.deadLetterTopic)
                role: dead-letter
                partitions: 3
                key: original key
                retention_days: 30

            """).write(to: catalogue, atomically: false, encoding: .utf8)
        let loaded = try TopicCatalogue.load(from: catalogue.path)
        #expect(loaded.topics.contains { $0.name == entry.inputTopic && $0.consumer == entry.executable })

        // 2. The list entry finds it by name; its keys go into the configuration reference.
        #expect(WelfareDomains.named("tally")?.inputTopic == "welfare.tally")
        #expect(ConfigurationReference.render([entry.worker]).contains("domain.limit"))

        // 3. The broker made from that catalogue and the thin executable, fed the entry's sample stream.
        let addressFile = directory.appendingPathComponent("broker.address")
        let broker = try ChildProcess(TestPaths.executable("welfare-broker"), ["--catalogue", catalogue.path, "--address-file", addressFile.path])
        defer { broker.signal(SIGTERM) }
        var bootstrap = ""
        #expect(try await eventuallyTrue {
            bootstrap = (try? String(contentsOf: addressFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return !bootstrap.isEmpty
        })
        let store = directory.appendingPathComponent("tally.sqlite").path
        let worker = try ChildProcess(TestPaths.executable(entry.executable), ["--bootstrap-servers", bootstrap, "--store", store],
                                      environment: entry.developmentSecrets)
        defer { worker.signal(SIGTERM) }
        let messages = entry.sampleMessages(count: 600, seed: 3, faultEvery: 50)
        try await publish(messages.map { ($0.key, $0.value) }, topic: entry.inputTopic, bootstrap: bootstrap)
        let finished = await waitForStoredProcessed(store, messages.count)
        let outcomes = await storedProcessedCount(store)
        #expect(finished && outcomes == messages.count, "the worker gave \(outcomes) of \(messages.count) outcomes")
    }
}
