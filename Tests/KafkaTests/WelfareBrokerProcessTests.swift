import Foundation
import Testing
import TopicCatalogue
import WelfareTestSupport

@Suite("welfare-broker as a process", .timeLimit(.minutes(2)))
struct WelfareBrokerProcessTests {
    @Test("welfare-broker prints its address first and writes it to --address-file, serves another client (kcat), and exits 0 on SIGTERM")
    func brokerProcessServesKcatAndStopsCleanly() async throws {
        let kcat = "/usr/bin/kcat"
        try #require(FileManager.default.isExecutableFile(atPath: kcat), "kcat is installed by `make test` (apt-get install kcat)")
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let addressFile = directory.appendingPathComponent("broker.address").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.executable("welfare-broker"))
        process.arguments = ["--catalogue", TestPaths.repositoryRoot.appendingPathComponent("topics/catalogue.yaml").path, "--address-file", addressFile]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        var firstLine = Data()
        while !firstLine.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            firstLine.append(chunk)
        }
        let address = String(decoding: firstLine, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
        #expect(address.hasPrefix("127.0.0.1:"))
        // The file is written before the address is printed: whole, and nothing else is left beside it.
        #expect(try String(contentsOfFile: addressFile, encoding: .utf8) == address + "\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["broker.address"])

        let produced = try runProgram(kcat, ["-P", "-b", address, "-t", "welfare.notifications", "-K", ":"],
                                      stdin: "k1:hello\nk2:world\n")
        #expect(produced.status == 0)
        let consumed = try runProgram(kcat, ["-C", "-b", address, "-t", "welfare.notifications", "-c", "2", "-e", "-q", "-f", "%k=%s\\n"])
        #expect(consumed.status == 0)
        #expect(Set(consumed.output.split(separator: "\n").map(String.init)) == ["k1=hello", "k2=world"])
        let listed = try runProgram(kcat, ["-L", "-b", address, "-t", "welfare.volunteer-hours"])
        #expect(listed.output.contains("12 partitions"))

        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
    }
}

@Suite("topic catalogue")
struct TopicCatalogueTests {
    @Test("started from another folder without --catalogue, welfare-broker finds the checkout's catalogue and creates its topics")
    func defaultCatalogueDoesNotDependOnTheWorkingDirectory() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.executable("welfare-broker"))
        process.arguments = ["--address-file", directory.appendingPathComponent("broker.address").path]
        process.currentDirectoryURL = directory
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        #expect(try await eventuallyTrue { FileManager.default.fileExists(atPath: directory.appendingPathComponent("broker.address").path) })
        process.terminate()
        process.waitUntilExit()
        let log = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let expected = try TopicCatalogue.load(from: TestPaths.repositoryRoot.appendingPathComponent("topics/catalogue.yaml").path).topics.count
        #expect(log.contains("\(expected) topics on 127.0.0.1:"), "\(log)")
        #expect(process.terminationStatus == 0)
    }

    @Test("the repository's catalogue lists the five topic families with the contract's partitions and retention")
    func repositoryCatalogueMatchesTheContract() throws {
        let catalogue = try TopicCatalogue.load(from: TestPaths.repositoryRoot.appendingPathComponent("topics/catalogue.yaml").path)
        let inputs = ["welfare.volunteer-hours", "welfare.mutual-aid-claims", "welfare.new-employment-benefits"]
        for input in inputs {
            #expect(catalogue.entry(named: input)?.partitions == 12)
            #expect(catalogue.entry(named: input)?.retentionDays == 14)
            #expect(catalogue.entry(named: input)?.deadLetterTopic == input + ".dlq")
            #expect(catalogue.entry(named: input + ".dlq")?.partitions == 3)
            #expect(catalogue.entry(named: input + ".dlq")?.retentionDays == 90)
        }
        #expect(catalogue.entry(named: "welfare.notifications")?.partitions == 12)
        #expect(catalogue.replicationFactor == 3 && catalogue.minInsyncReplicas == 2)
        let spec = try #require(catalogue.specifications().first { $0.name == "welfare.volunteer-hours.dlq" })
        #expect(spec.configs["retention.ms"] == String(90 * 86_400_000))
        #expect(spec.configs["min.insync.replicas"] == "2")
    }

    @Test("a catalogue with a dangling dead-letter topic is refused with the entry named")
    func danglingDeadLetterTopicIsNamed() {
        let yaml = """
            replication_factor: 1
            min_insync_replicas: 1
            topics:
              - {name: a, role: input, partitions: 1, key: id, retention_days: 1, dead_letter_topic: a.dlq}
            """
        #expect { try TopicCatalogue.parse(yaml) } throws: { error in
            String(describing: error).contains("topics.a.dead_letter_topic")
        }
    }
}
