import Foundation
import Testing
import NewEmploymentBenefits
import WelfareTestSupport
import WorkerRuntime

@Suite("published JSON Schemas for welfare.new-employment-benefits")
struct SchemaTests {
    @Test("every event type has a schema, and the worker's decoder accepts its valid examples and refuses its invalid ones",
          arguments: BenefitEvent.types.sorted())
    func decoderAgreesWithSchema(type: String) throws {
        let agreement = try SchemaExamples.agreement(domain: "new-employment-benefits", type: type, entity: "worker_id") { (reader) throws(DataError) in
            _ = try BenefitEvent.decode(type: type, data: reader)
        }
        #expect(agreement.hasBothKinds)
        #expect(agreement.refusedValid.isEmpty, "valid examples of \(type) refused: \(agreement.refusedValid)")
        #expect(agreement.acceptedInvalid.isEmpty, "invalid examples of \(type) accepted: \(agreement.acceptedInvalid)")
    }

    @Test("every example validates against its schema with a draft 2020-12 validator (Python jsonschema)")
    func examplesValidateAgainstSchemas() throws {
        let result = try SchemaExamples.validateWithJSONSchema(domain: "new-employment-benefits")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("0 failures"))
    }
}
