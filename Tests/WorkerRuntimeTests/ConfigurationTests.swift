import Foundation
import GRDB
import Kafka
import Testing
import WelfareTestSupport
import TallyDomain
import WorkerRuntime

@Suite("worker configuration")
struct ConfigurationTests {
    let keys = RuntimeConfigurationKeys.keys(workerName: "tally", inputTopic: "welfare.tally") + TallyDomain.configurationKeys

    func load(_ yaml: String, environment: [String: String] = [:]) throws -> WorkerConfiguration {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("worker.yaml")
        try yaml.write(to: file, atomically: false, encoding: .utf8)
        return try WorkerConfiguration.load(path: file.path, environment: environment, knownKeys: keys)
    }

    @Test("defaults apply, the file overrides them, and environment variables override the file")
    func layering() throws {
        let configuration = try load("batch:\n  max_messages: 300\nstore:\n  path: /tmp/a.sqlite\n",
                                     environment: ["WELFARE_STORE_PATH": "/tmp/b.sqlite", "WELFARE_DOMAIN_LIMIT": "700"])
        #expect(try configuration.integer("batch.max_messages") == 300)
        #expect(try configuration.string("store.path") == "/tmp/b.sqlite")
        #expect(try configuration.integer("batch.max_wait_ms") == 50)
        #expect(try TallyDomain(configuration: configuration).limit == 700)
    }

    @Test("the kafka section and WELFARE_KAFKA_* variables pass through to librdkafka unchanged")
    func kafkaPassthrough() throws {
        let configuration = try load("kafka:\n  bootstrap.servers: broker-1:9093\n  security.protocol: SASL_SSL\n  sasl.mechanisms: SCRAM-SHA-512\n",
                                     environment: ["WELFARE_KAFKA_SASL_USERNAME": "worker", "WELFARE_KAFKA_SASL_PASSWORD": "secret", "WELFARE_KAFKA_LOG__LEVEL": "3"])
        #expect(configuration.kafkaProperties["bootstrap.servers"] == "broker-1:9093")
        #expect(configuration.kafkaProperties["security.protocol"] == "SASL_SSL")
        #expect(configuration.kafkaProperties["sasl.password"] == "secret")
        #expect(configuration.kafkaProperties["log_level"] == "3")
        let settings = try WorkerLauncher.runtimeSettings(configuration)
        #expect(settings.kafka["sasl.mechanisms"] == "SCRAM-SHA-512")
        #expect(settings.kafka["group.id"] == "welfare-tally")
    }

    @Test("the outbox backlog limit defaults to five batches (at least 10,000) and an explicit value wins")
    func outboxBacklogFollowsTheBatchSize() throws {
        #expect(try WorkerLauncher.runtimeSettings(load("worker:\n  name: tally\n")).outboxMaxBacklog == 10_000)
        #expect(try WorkerLauncher.runtimeSettings(load("batch:\n  max_messages: 8000\n")).outboxMaxBacklog == 40_000)
        #expect(try WorkerLauncher.runtimeSettings(load("batch:\n  max_messages: 8000\noutbox:\n  max_backlog: 500\n")).outboxMaxBacklog == 500)
    }

    @Test("store.event_id_retention defaults to 90 days, takes days, hours or minutes, 0 keeps ids for ever, and refuses anything else")
    func eventIDRetention() throws {
        #expect(try WorkerLauncher.runtimeSettings(load("worker:\n  name: tally\n")).eventIDRetention == .seconds(90 * 86_400))
        #expect(try WorkerLauncher.runtimeSettings(load("store:\n  event_id_retention: 36h\n")).eventIDRetention == .seconds(36 * 3_600))
        #expect(try WorkerLauncher.runtimeSettings(load("store:\n  event_id_retention: 30m\n")).eventIDRetention == .seconds(30 * 60))
        #expect(try WorkerLauncher.runtimeSettings(load("store:\n  event_id_retention: \"0\"\n")).eventIDRetention == nil)
        for bad in ["90", "-5d", "1.5d", "90 days", "0d"] {
            #expect(throws: ConfigurationError.self, "\(bad)") { try WorkerLauncher.runtimeSettings(load("store:\n  event_id_retention: \"\(bad)\"\n")) }
        }
    }

    @Test("store.cache_mb defaults to 32 MiB and sets the writing connection's page cache")
    func storeCacheSize() throws {
        #expect(try load("worker:\n  name: tally\n").integer("store.cache_mb", in: 2...4096) == 32)
        #expect(try load("store:\n  cache_mb: 48\n").integer("store.cache_mb", in: 2...4096) == 48)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("cache.sqlite").path, cacheMegabytes: 48, for: TallyDomain())
        #expect(try store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA cache_size") } == -48 * 1024)
    }

    @Test("a new store file is created with mode 0600, and a second create of the same file is refused")
    func storeFileMode() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("private.sqlite").path
        _ = try SQLiteStore(path: path, for: TallyDomain())
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(SQLiteStore.createPrivateFile(atPath: path) == false)
    }

    @Test("an unknown key is refused, naming it and the file")
    func unknownKey() throws {
        #expect { try load("batch:\n  max_mesages: 10\n") } throws: { error in
            String(describing: error).contains("unknown key batch.max_mesages")
        }
    }

    @Test("an invalid value fails at start, naming the key, where it came from and its environment variable")
    func invalidValue() throws {
        let configuration = try load("batch:\n  max_messages: lots\n")
        #expect { try WorkerLauncher.runtimeSettings(configuration) } throws: { error in
            let text = String(describing: error)
            return text.contains("batch.max_messages") && text.contains("WELFARE_BATCH_MAX_MESSAGES") && text.contains("lots")
        }
        let badChoice = try load("consumer:\n  assignment: sometimes\n")
        #expect { try WorkerLauncher.runtimeSettings(badChoice) } throws: { error in
            String(describing: error).contains("consumer.assignment")
        }
    }

    @Test("an unknown librdkafka property fails at start, naming the property")
    func badKafkaProperty() throws {
        let configuration = try load("kafka:\n  no.such.thing: 1\n")
        #expect { try WorkerLauncher.runtimeSettings(configuration) } throws: { error in
            String(describing: error).contains("no.such.thing")
        }
    }
}
