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
        let examples = try SchemaExamples.load(domain: "new-employment-benefits", type: type)
        #expect(!examples.valid.isEmpty && !examples.invalid.isEmpty)
        let decode = { (reader: DataReader) throws(DataError) in _ = try BenefitEvent.decode(type: type, data: reader) }
        for example in examples.valid { #expect(SchemaExamples.decodes(example, entity: "worker_id", decode), "valid example of \(type) refused") }
        for example in examples.invalid { #expect(!SchemaExamples.decodes(example, entity: "worker_id", decode), "invalid example of \(type) accepted") }
    }

    @Test("every example validates against its schema with a draft 2020-12 validator (Python jsonschema)")
    func examplesValidateAgainstSchemas() throws {
        let result = try SchemaExamples.validateWithJSONSchema(domain: "new-employment-benefits")
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("0 failures"))
    }
}
