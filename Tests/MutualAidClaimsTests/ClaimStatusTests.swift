import Foundation
import Kafka
import SampleStreams
import Testing
import WelfareTestSupport
import GRDB
import WorkerRuntime

@Suite("claim-status against a store a real worker wrote", .timeLimit(.minutes(2)))
struct ClaimStatusTests {
    @Test("claim-status prints a claim as JSON and as text (masked name, amounts in 元, timeline), 1 when not found, 2 on a missing store",
          arguments: StoreEngine.allCases)
    func endToEnd(engine: StoreEngine) async throws {
        let broker = try EmbeddedBroker()
        try broker.createTopic("welfare.mutual-aid-claims", partitions: 2)
        try broker.createTopic("welfare.mutual-aid-claims.dlq", partitions: 3)
        try broker.createTopic("welfare.notifications", partitions: 12)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = engine == .sqlite ? directory.appendingPathComponent("claims.sqlite").path : try TestPostgres.newDatabase()
        let worker = try ChildProcess(TestPaths.executable("mutual-aid-claims-worker"), ["--bootstrap-servers", broker.bootstrapServers, "--store", store],
                                      environment: ["WELFARE_LOG_LEVEL": "warning", "WELFARE_STORE_IDENTITY_KEY": "claim-status-test-identity-key-0123456789"])
        defer { worker.signal(SIGKILL) }

        func event(_ id: String, _ type: String, _ time: String, _ data: JSONObject) -> (key: String, value: [UInt8]) {
            ("M-000042", JSONWriter.encode(.object([
                "specversion": .string("1.0"), "id": .string(id), "source": .string("/community/office"), "type": .string(type),
                "time": .string(time), "subject": .string("M-000042"), "data": .object(data),
            ])))
        }
        let person = SampleIdentity.person(42)
        try await publish([
            event("e0", "mutualaid.member.enrolled.v1", "2025-12-20T10:00:00+08:00", [
                "member_id": .string("M-000042"), "name": .string("张三明"), "id_number": .string(person.number), "phone": .string("13800138000"),
                "community_id": .string("COMM-7"), "plan_year": .integer(2025), "enrolled_on": .string("2025-01-02"), "contribution_fen": .integer(10_000)]),
            event("e0b", "mutualaid.member.enrolled.v1", "2025-12-21T10:00:00+08:00", [
                "member_id": .string("M-000042"), "name": .string("张三明"), "id_number": .string(person.number), "phone": .string("13800138000"),
                "community_id": .string("COMM-7"), "plan_year": .integer(2026), "enrolled_on": .string("2025-12-21"), "contribution_fen": .integer(10_000)]),
            event("e1", "mutualaid.claim.submitted.v1", "2026-05-10T09:00:00+08:00", [
                "claim_id": .string("C-2026-000123"), "member_id": .string("M-000042"), "risk_code": .string("HOSPITALIZATION"),
                "incident_date": .string("2026-05-01"), "documents": .array([.string("id_card")]), "hospital_days": .integer(15)]),
            event("e2", "mutualaid.claim.documents_added.v1", "2026-05-12T10:00:00+08:00", [
                "claim_id": .string("C-2026-000123"), "member_id": .string("M-000042"), "documents": .array([.string("discharge_summary"), .string("invoice")])]),
            event("e3", "mutualaid.claim.reviewed.v1", "2026-05-20T16:30:00+08:00", [
                "claim_id": .string("C-2026-000123"), "member_id": .string("M-000042"), "reviewer_id": .string("REVIEWER-9"),
                "decision": .string("approve"), "reason": .string("材料齐全")]),
        ], topic: "welfare.mutual-aid-claims", bootstrap: broker.bootstrapServers)
        #expect(try await eventuallyTrue(timeout: .seconds(60)) { (try? StoreReader(location: store).rows(
            "SELECT COALESCE(SUM(next_offset), 0) FROM runtime_partition_offsets").first?.integer(0)) == 5 })

        // While the worker is still running.
        let json = try runProgram(TestPaths.executable("claim-status"), ["C-2026-000123", "--store", store, "--json"])
        #expect(json.status == 0)
        let object = try #require(try JSONParser.parse(Array(json.output.utf8)).objectValue)
        #expect(object.members.map(\.key) == ["claim_id", "member_id", "member_name", "risk_code", "status", "incident_date", "submitted_at",
                                              "approved_fen", "paid_fen", "capped_by", "missing_documents", "reason_code", "timeline"])
        #expect(object["member_name"] == .string("张*明"))
        #expect(object["status"] == .string("APPROVED"))
        #expect(object["approved_fen"] == .integer(120_000))
        #expect(object["paid_fen"] == .null && object["capped_by"] == .null && object["reason_code"] == .null)
        #expect(object["missing_documents"] == .array([]))
        #expect(object["submitted_at"] == .string("2026-05-10T09:00:00+08:00"))
        #expect(object["timeline"] == .array([
            .object(["at": .string("2026-05-10T09:00:00+08:00"), "status": .string("DOCUMENTS_REQUESTED"), "event_id": .string("e1"), "event_type": .string("mutualaid.claim.submitted.v1")]),
            .object(["at": .string("2026-05-12T10:00:00+08:00"), "status": .string("UNDER_REVIEW"), "event_id": .string("e2"), "event_type": .string("mutualaid.claim.documents_added.v1")]),
            .object(["at": .string("2026-05-20T16:30:00+08:00"), "status": .string("APPROVED"), "event_id": .string("e3"), "event_type": .string("mutualaid.claim.reviewed.v1")]),
        ]))
        #expect(!json.output.contains(person.number) && !json.output.contains("13800138000"))

        let text = try runProgram(TestPaths.executable("claim-status"), ["C-2026-000123", "--store", store])
        #expect(text.status == 0)
        #expect(text.output.contains("张*明") && text.output.contains("1200.00 元") && text.output.contains("已核准（APPROVED）"))
        #expect(!text.output.contains("张三明"))

        let listed = try runProgram(TestPaths.executable("claim-status"), ["--member", "M-000042", "--store", store, "--json"])
        #expect(listed.status == 0 && listed.output.contains("C-2026-000123"))

        #expect(try runProgram(TestPaths.executable("claim-status"), ["C-none", "--store", store]).status == 1)
        let missing = try runProgram(TestPaths.executable("claim-status"), ["C-1", "--store", directory.appendingPathComponent("nope.sqlite").path])
        #expect(missing.status == 2)
        #expect(try runProgram(TestPaths.executable("claim-status"), ["--store", store]).status == 2, "usage errors exit 2")
    }
}
