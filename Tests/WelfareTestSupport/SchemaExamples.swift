import Foundation
import WorkerRuntime

/// The examples of the JSON Schemas a domain publishes in `topics/schemas/<domain>/`.
public struct SchemaExamples {
    public let valid: [JSONObject]
    public let invalid: [JSONObject]

    /// The examples of `<type>.schema.json` in a domain's folder.
    public static func load(domain: String, type: String) throws -> SchemaExamples {
        let path = TestPaths.repositoryRoot.appendingPathComponent("topics/schemas/\(domain)/\(type).schema.json")
        guard case .object(let schema) = try JSONParser.parse([UInt8](try Data(contentsOf: path))),
              case .array(let valid)? = schema["examples"], case .array(let invalid)? = schema["x-invalid-examples"] else {
            throw TestFailure("\(path.path): no examples and x-invalid-examples")
        }
        return SchemaExamples(valid: valid.compactMap(\.objectValue), invalid: invalid.compactMap(\.objectValue))
    }

    /// Whether a domain's decoder accepts a `data` object (the entity id must be a string, as the runtime checks).
    public static func decodes(_ data: JSONObject, entity: String, _ decode: (DataReader) throws(DataError) -> Void) -> Bool {
        let reader = DataReader(data)
        do {
            _ = try reader.string(entity)
            try decode(reader)
            return true
        } catch {
            return false
        }
    }

    /// How a domain's decoder treats one type's examples: which valid ones it refuses, which invalid ones
    /// it accepts (by index), and whether the schema has examples of both kinds.
    public struct DecoderAgreement {
        public let hasBothKinds: Bool
        public let refusedValid: [Int]
        public let acceptedInvalid: [Int]
    }

    /// Runs a domain's decoder over the examples of `<type>.schema.json` in its folder.
    public static func agreement(domain: String, type: String, entity: String,
                                 _ decode: (DataReader) throws(DataError) -> Void) throws -> DecoderAgreement {
        let examples = try load(domain: domain, type: type)
        return DecoderAgreement(
            hasBothKinds: !examples.valid.isEmpty && !examples.invalid.isEmpty,
            refusedValid: examples.valid.indices.filter { !decodes(examples.valid[$0], entity: entity, decode) },
            acceptedInvalid: examples.invalid.indices.filter { decodes(examples.invalid[$0], entity: entity, decode) })
    }

    /// Runs the draft 2020-12 validator (Python jsonschema) over a domain's schema folder.
    public static func validateWithJSONSchema(domain: String) throws -> (status: Int32, output: String) {
        try runProgram("/usr/bin/env", [
            "python3", TestPaths.repositoryRoot.appendingPathComponent("Tests/tools/validate_schemas.py").path,
            TestPaths.repositoryRoot.appendingPathComponent("topics/schemas/\(domain)").path,
        ])
    }
}
