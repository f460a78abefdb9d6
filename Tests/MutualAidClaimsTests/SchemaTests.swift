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
        let examples = try SchemaExamples.load(domain: "mutual-aid-claims", type: type)
        #expect(!examples.valid.isEmpty && !examples.invalid.isEmpty)
        let risks = PlanSettings.contract.risks.map(\.code)
        let decode = { (reader: DataReader) throws(DataError) in _ = try ClaimEvent.decode(type: type, data: reader, risks: risks) }
        for example in examples.valid { #expect(SchemaExamples.decodes(example, entity: "member_id", decode), "valid example of \(type) refused") }
        for example in examples.invalid { #expect(!SchemaExamples.decodes(example, entity: "member_id", decode), "invalid example of \(type) accepted") }
    }

    @Test("every example validates against its schema with a draft 2020-12 validator (Python jsonschema)")
    func examplesValidateAgainstSchemas() throws {
        let result = try SchemaExamples.validateWithJSONSchema(domain: "mutual-aid-claims")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("0 failures"))
    }
}
