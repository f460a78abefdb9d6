import Foundation
import Testing
import VolunteerHours
import WelfareTestSupport
import WorkerRuntime

@Suite("published JSON Schemas for welfare.volunteer-hours")
struct SchemaTests {
    var folder: URL { TestPaths.repositoryRoot.appendingPathComponent("topics/schemas/volunteer-hours") }

    func schema(_ type: String) throws -> JSONObject {
        let bytes = try [UInt8](Data(contentsOf: folder.appendingPathComponent("\(type).schema.json")))
        guard case .object(let object) = try JSONParser.parse(bytes) else { throw TestFailure("\(type): not an object") }
        return object
    }

    func decodes(_ type: String, _ example: JSONValue) -> Bool {
        guard case .object(let data) = example else { return false }
        let reader = DataReader(data)
        do {
            _ = try reader.string("volunteer_id")
            _ = try VolunteerEvent.decode(type: type, data: reader)
            return true
        } catch {
            return false
        }
    }

    @Test("every event type has a schema, and the worker's decoder accepts its valid examples and refuses its invalid ones",
          arguments: VolunteerEvent.types.sorted())
    func decoderAgreesWithSchema(type: String) throws {
        let object = try schema(type)
        guard case .array(let valid)? = object["examples"], case .array(let invalid)? = object["x-invalid-examples"] else {
            Issue.record("\(type): examples missing")
            return
        }
        #expect(!valid.isEmpty && !invalid.isEmpty)
        for example in valid { #expect(decodes(type, example), "valid example of \(type) refused by the decoder") }
        for example in invalid { #expect(!decodes(type, example), "invalid example of \(type) accepted by the decoder") }
    }

    @Test("every example validates against its schema with a draft 2020-12 validator (Python jsonschema)")
    func examplesValidateAgainstSchemas() throws {
        let result = try runProgram("/usr/bin/env", ["python3", TestPaths.repositoryRoot.appendingPathComponent("Tests/tools/validate_schemas.py").path, folder.path])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("0 failures"))
    }
}
