import Crypto
import Foundation
import GRDB
import Kafka
import Testing
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

/// Identity numbers at rest: keyed hashes only, a key the store remembers by fingerprint, stores of the
/// unkeyed kind upgraded in place; checked on the bytes of the store file itself.
@Suite("identity numbers at rest", .timeLimit(.minutes(3)))
struct IdentityKeyTests {
    static let key = "identity-key-test-0123456789abcdefghijklmnop"

    @Test("keys shorter than 32 bytes are refused; keyed hashes differ from the unkeyed SHA-256 and re-key it; fingerprints tell keys apart")
    func keyedHashes() throws {
        #expect(IdentityKey(String(repeating: "k", count: 31)) == nil)
        let key = try #require(IdentityKey(Self.key))
        let other = try #require(IdentityKey(Self.key + "-other"))
        let number = "510104199001011011"
        let unkeyed = Array(SHA256.hash(data: Array(number.utf8)))
        #expect(key.hash(ofIdentityNumber: number) != unkeyed)
        #expect(key.hash(ofIdentityNumber: number) == key.rekey(unkeyedDigest: unkeyed))
        #expect(key.hash(ofIdentityNumber: number) != other.hash(ofIdentityNumber: number))
        #expect(key.fingerprint != other.fingerprint)
        #expect(key.fingerprint != key.hash(ofIdentityNumber: number))
    }

    static func registration(_ index: Int, number: String) -> (key: String, value: [UInt8]) {
        let id = "V-7\(index)"
        let data = #"{"volunteer_id":"\#(id)","name":"测试\#(index)","id_number":"\#(number)","phone":"1390000\#(String(format: "%04d", index))","birth_date":"1990-01-01","district":"锦江区"}"#
        return (id, Array(#"{"specversion":"1.0","id":"reg-\#(index)","source":"/test/identity","type":"volunteer.registered.v1","time":"2026-05-10T09:00:00+08:00","subject":"\#(id)","data":\#(data)}"#.utf8))
    }

    func startWorker(_ broker: EmbeddedBroker, store: String, key: String?) throws -> ChildProcess {
        var environment = ["WELFARE_LOG_LEVEL": "info", "WELFARE_DOMAIN_CERTIFICATE_SECRET": "identity-test-certificate-secret"]
        if let key { environment["WELFARE_STORE_IDENTITY_KEY"] = key }
        return try ChildProcess(TestPaths.executable("volunteer-hours-worker"), ["--bootstrap-servers", broker.bootstrapServers, "--store", store],
                                environment: environment)
    }

    func broker() throws -> EmbeddedBroker {
        let broker = try EmbeddedBroker()
        try broker.createTopic("welfare.volunteer-hours", partitions: 2)
        try broker.createTopic("welfare.volunteer-hours.dlq", partitions: 3)
        try broker.createTopic("welfare.notifications", partitions: 12)
        return broker
    }

    /// Every byte of the store: the file, its WAL and its shared-memory index.
    func storeBytes(_ path: String) -> [UInt8] {
        ["", "-wal", "-shm"].flatMap { suffix in (try? [UInt8](Data(contentsOf: URL(fileURLWithPath: path + suffix)))) ?? [] }
    }

    func occurs(_ needle: [UInt8], in haystack: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return Data(haystack).range(of: Data(needle)) != nil
    }

    @Test("no key: the worker refuses to start; with a key nothing recoverable is stored (no number, no unkeyed SHA-256, WAL included); another key is refused, never logged")
    func storeHoldsNothingRecoverable() async throws {
        let broker = try broker()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = directory.appendingPathComponent("volunteer-hours.sqlite").path

        let keyless = try startWorker(broker, store: store, key: nil)
        #expect(await keyless.waitForExit(timeout: .seconds(30))?.status != 0)
        #expect(keyless.standardError.contains("store.identity_key is required"))

        let numbers = (0..<40).map { testIdentityNumber(sequence: 100 + $0) }
        var messages = numbers.enumerated().map { Self.registration($0.offset, number: $0.element) }
        // The same number under another volunteer: recognised through the keyed hash.
        messages.append(Self.registration(99, number: numbers[3]))
        try await publish(messages, topic: "welfare.volunteer-hours", bootstrap: broker.bootstrapServers)
        let worker = try startWorker(broker, store: store, key: Self.key)
        #expect(await waitForStoredProcessed(store, messages.count))
        let reader = try SQLiteStore.openReadOnly(path: store)
        // Whichever of the two came first (they are on different partitions) took the number.
        let duplicate = try await reader.read {
            try String.fetchAll($0, sql: "SELECT COALESCE(reason_code, outcome) FROM runtime_message_outcomes WHERE event_id IN ('reg-3', 'reg-99') ORDER BY 1")
        }
        #expect(duplicate == ["DUPLICATE_IDENTITY", "applied"])
        let bytes = storeBytes(store)
        #expect(bytes.count > 100_000)
        for number in numbers {
            #expect(!occurs(Array(SHA256.hash(data: Array(number.utf8))), in: bytes), "an unkeyed SHA-256 of an identity number is in the store")
            #expect(!occurs(Array(number.utf8), in: bytes), "an identity number is in the store")
        }
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit()?.status == 0)

        let wrongKey = try startWorker(broker, store: store, key: Self.key + "-wrong")
        #expect(await wrongKey.waitForExit(timeout: .seconds(30))?.status != 0)
        #expect(wrongKey.standardError.contains("was written with another store.identity_key"))
        #expect(!wrongKey.standardError.contains(Self.key) && !worker.standardError.contains(Self.key), "the key is never logged")
    }

    @Test("a store with unkeyed SHA-256 digests (as the release before keyed hashes wrote them) is upgraded in place at the first start with a key")
    func upgradeInPlace() async throws {
        let broker = try broker()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("volunteer-hours.sqlite").path
        let domain = VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: "identity-test-certificate-secret"))
        let old = try SQLiteStore(path: path, for: domain)
        let numbers = (0..<5).map { testIdentityNumber(sequence: 500 + $0) }
        try await old.queue.write { db in
            for (index, number) in numbers.enumerated() {
                try db.execute(sql: """
                    INSERT INTO volunteers (volunteer_id, name, identity_hash, birth_date, district, guardian_consent, registered_at)
                    VALUES (?, '旧册', ?, '1990-01-01', '锦江区', 0, '2026-01-01T09:00:00+08:00')
                    """, arguments: ["V-OLD-\(index)", Data(SHA256.hash(data: Array(number.utf8)))])
            }
        }
        try old.queue.close()

        // A new volunteer with an old volunteer's number must still be refused after the upgrade.
        try await publish([Self.registration(1, number: numbers[2])], topic: "welfare.volunteer-hours", bootstrap: broker.bootstrapServers)
        let worker = try startWorker(broker, store: path, key: Self.key)
        #expect(await waitForStoredProcessed(path, 1))
        #expect(worker.standardError.contains("re-keyed in place") && worker.standardError.contains("rows=5"))
        let reader = try SQLiteStore.openReadOnly(path: path)
        #expect(try await reader.read { try String.fetchOne($0, sql: "SELECT reason_code FROM runtime_message_outcomes") } == "DUPLICATE_IDENTITY")
        let key = try #require(IdentityKey(Self.key))
        let stored = try await reader.read { try Data.fetchOne($0, sql: "SELECT identity_hash FROM volunteers WHERE volunteer_id = 'V-OLD-0'") }
        #expect(stored.map { [UInt8]($0) } == key.hash(ofIdentityNumber: numbers[0]))
        worker.signal(SIGTERM)
        #expect(await worker.waitForExit()?.status == 0)
        let bytes = storeBytes(path)
        for number in numbers {
            #expect(!occurs(Array(SHA256.hash(data: Array(number.utf8))), in: bytes), "an old unkeyed digest survived the upgrade")
        }
        // Started again with the same key: nothing more to upgrade.
        let again = try startWorker(broker, store: path, key: Self.key)
        #expect(try await eventuallyTrue { again.standardError.contains("reading partitions") })
        #expect(!again.standardError.contains("re-keyed"))
        again.signal(SIGTERM)
        #expect(await again.waitForExit()?.status == 0)
    }
}
