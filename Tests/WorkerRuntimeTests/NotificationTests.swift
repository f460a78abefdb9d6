import Synchronization
import Testing
import WorkerRuntime

@Suite("notifications")
struct NotificationTests {
    /// Counts how often a notification's parts were built.
    private final class BuildCount: Sendable {
        let params = Atomic<Int>(0)
        let text = Atomic<Int>(0)
    }

    @Test("a notification builds its params and text when they are read, from the values it was made with")
    func partsAreBuiltWhenRead() {
        let count = BuildCount()
        var total: Int64 = 40
        let captured = total
        let notification = Notification(
            template: "tally.added", recipient: .member, id: "T1",
            params: { count.params.add(1, ordering: .relaxed); return ["total": .integer(captured)] }(),
            text: { count.text.add(1, ordering: .relaxed); return "合计 \(captured)。" }())
        total += 1
        #expect(count.params.load(ordering: .relaxed) == 0 && count.text.load(ordering: .relaxed) == 0)
        #expect(notification.params == ["total": .integer(40)])
        #expect(notification.text == "合计 40。")
        #expect(count.params.load(ordering: .relaxed) == 1 && count.text.load(ordering: .relaxed) == 1)
        #expect(total == 41)
    }

    @Test("a notification id stays what earlier versions made it: receivers drop repeats by it across upgrades")
    func notificationIDIsStable() {
        // SHA-256 of "evt-1␟tally.added␟member␟成都-T1␟" (␟ = 0x1F), its first 16 bytes shaped as a UUID.
        #expect(NotificationRenderer.notificationID(eventID: "evt-1", template: "tally.added", recipientKind: .member, recipientID: "成都-T1")
                == "a4eda815-5d2b-8096-ddbf-db992d6ce6de")
        #expect(NotificationRenderer.notificationID(eventID: "evt-1", template: "tally.added", recipientKind: .member, recipientID: "成都-T2")
                != "a4eda815-5d2b-8096-ddbf-db992d6ce6de")
    }

    @Test("notifications are equal when their recipient, template, params and text are")
    func equality() {
        let one = Notification(template: "tally.reset", recipient: .member, id: "T1", params: ["reason": .string("月末")], text: "合计已清零：月末")
        let same = Notification(template: "tally.reset", recipient: .member, id: "T1", params: ["reason": .string("月末")], text: "合计已清零：月末")
        let otherText = Notification(template: "tally.reset", recipient: .member, id: "T1", params: ["reason": .string("月末")], text: "合计已清零")
        let otherRecipient = Notification(template: "tally.reset", recipient: .member, id: "T2", params: ["reason": .string("月末")], text: "合计已清零：月末")
        #expect(one == same)
        #expect(one != otherText)
        #expect(one != otherRecipient)
    }
}
