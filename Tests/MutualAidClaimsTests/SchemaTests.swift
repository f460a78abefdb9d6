import Foundation
import MutualAidClaims
import Testing
import WelfareTestSupport
import WorkerRuntime

@Suite("published JSON Schemas for welfare.mutual-aid-claims")
struct SchemaTests {
    @Test("every event type has a schema, and the worker's decoder accepts its valid examples and refuses its invalid ones",
          arguments: ClaimEvent.types.sorted())
    func decoderAgreesWithSchema(type: String) throws {
        let risks = PlanSettings.contract.risks.map(\.code)
        let agreement = try SchemaExamples.agreement(domain: "mutual-aid-claims", type: type, entity: "member_id") { (reader) throws(DataError) in
            _ = try ClaimEvent.decode(type: type, data: reader, risks: risks)
        }
        #expect(agreement.hasBothKinds)
        #expect(agreement.refusedValid.isEmpty, "valid examples of \(type) refused: \(agreement.refusedValid)")
        #expect(agreement.acceptedInvalid.isEmpty, "invalid examples of \(type) accepted: \(agreement.acceptedInvalid)")
    }

    @Test("every example validates against its schema with a draft 2020-12 validator (Python jsonschema)")
    func examplesValidateAgainstSchemas() throws {
        let result = try SchemaExamples.validateWithJSONSchema(domain: "mutual-aid-claims")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("0 failures"))
    }
}
