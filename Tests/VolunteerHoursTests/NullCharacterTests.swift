import Foundation
import Kafka
import Testing
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

/// JSON may carry U+0000 in a string (`\u0000`), which the contract accepts but no store keeps as sent.
@Suite("texts holding U+0000", .timeLimit(.minutes(3)))
struct NullCharacterTests {
    @Test("a name holding U+0000 is dead-lettered alone as PROCESSING_FAILED on either engine, never stored shortened; a name with the six characters \\u0000 is applied",
          arguments: StoreEngine.allCases)
    func nameWithNullCharacter(engine: StoreEngine) async throws {
        let builder = try VolunteerHarness()
        let names = ["V-1": "张三明", "V-2": "王\u{0}五", "V-3": #"李\u0000四"#]
        let messages = ["V-1", "V-2", "V-3"].enumerated().map { index, volunteer in
            builder.message("volunteer.registered.v1", [
                "volunteer_id": .string(volunteer), "name": .string(names[volunteer] ?? ""),
                "id_number": .string(identityNumber(birth: "19900101", sequence: 200 + index)), "phone": .string("13800138000"),
                "district": .string("锦江区"), "birth_date": .string("1990-01-01"),
            ], id: "reg-\(volunteer)")
        }
        let broker = try EmbeddedBroker()
        try broker.createTopic("welfare.volunteer-hours", partitions: 1)
        try broker.createTopic("welfare.volunteer-hours.dlq", partitions: 3)
        try broker.createTopic("welfare.notifications", partitions: 3)
        try await publish(messages, topic: "welfare.volunteer-hours", bootstrap: broker.bootstrapServers)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runner = try EngineRunner(domain: VolunteerHoursDomain(settings: VolunteerSettings(certificateSecret: VolunteerHarness.secret)),
                                      bootstrap: broker.bootstrapServers, inputTopic: "welfare.volunteer-hours", notificationsTopic: "welfare.notifications",
                                      directory: directory, storeEngine: engine) { settings in settings.maxAttempts = 2 }
        #expect(try await runner.runUntilProcessed(messages.count))

        let outcomes = try await runner.strings("SELECT event_id || ' ' || outcome || ' ' || coalesce(reason_code, '-') FROM runtime_message_outcomes ORDER BY \"offset\"")
        #expect(outcomes == ["reg-V-1 applied -", "reg-V-2 dead_lettered PROCESSING_FAILED", "reg-V-3 applied -"])
        let detail = try await runner.strings("SELECT detail FROM runtime_message_outcomes WHERE event_id = 'reg-V-2'")
        #expect(detail.first?.contains("data.name holds the character U+0000") == true, "\(detail)")
        #expect(try await runner.strings("SELECT volunteer_id FROM volunteers ORDER BY volunteer_id") == ["V-1", "V-3"], "no shortened name was stored")
        #expect(try await runner.strings("SELECT name FROM volunteers WHERE volunteer_id = 'V-3'") == [#"李\u0000四"#])
        let letters = try await readAll("welfare.volunteer-hours.dlq", partitions: 3, bootstrap: broker.bootstrapServers, atLeast: 1)
        #expect(letters.map { $0.header("dlq-event-id")?.text } == ["reg-V-2"])
        #expect(letters.first?.value == messages[1].value, "the dead letter keeps the bytes as sent")
    }
}
