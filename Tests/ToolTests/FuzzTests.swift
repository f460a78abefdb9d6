import Foundation
import Testing
import WelfareTestSupport

@Suite("fuzzing the domains", .timeLimit(.minutes(4)))
struct FuzzTests {
    @Test("21,000 mutated events (7,000 per domain) through checks and handlers against real stores: no crash, exactly one outcome each")
    func fuzzRun() throws {
        let run = try runProgram(TestPaths.executable("welfare-fuzz"), ["--mutations", "7000", "--seed", "7"], includeStandardError: true)
        #expect(run.status == 0, "\(run.output.suffix(2000))")
        #expect(run.output.components(separatedBy: "exactly one outcome per message").count - 1 == 3, "\(run.output.suffix(2000))")
        for reason in ["MALFORMED_JSON", "NOT_CLOUDEVENT", "INVALID_DATA", "TOO_LARGE", "applied"] {
            #expect(run.output.contains(reason), "the mutations reach \(reason)")
        }
    }
}
