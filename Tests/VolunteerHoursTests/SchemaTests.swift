import Foundation
import Testing
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

@Suite("published JSON Schemas for welfare.volunteer-hours")
struct SchemaTests {
    @Test("every event type has a schema, and the worker's decoder accepts its valid examples and refuses its invalid ones",
          arguments: VolunteerEvent.types.sorted())
    func decoderAgreesWithSchema(type: String) throws {
        let agreement = try SchemaExamples.agreement(domain: "volunteer-hours", type: type, entity: "volunteer_id") { (reader) throws(DataError) in
            _ = try VolunteerEvent.decode(type: type, data: reader)
        }
        #expect(agreement.hasBothKinds)
        #expect(agreement.refusedValid.isEmpty, "valid examples of \(type) refused: \(agreement.refusedValid)")
        #expect(agreement.acceptedInvalid.isEmpty, "invalid examples of \(type) accepted: \(agreement.acceptedInvalid)")
    }

    @Test("every example validates against its schema with a draft 2020-12 validator (Python jsonschema)")
    func examplesValidateAgainstSchemas() throws {
        let result = try SchemaExamples.validateWithJSONSchema(domain: "volunteer-hours")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("0 failures"))
    }
}
