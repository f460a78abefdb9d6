import ArgumentParser
import Foundation
import GRDB
import MutualAidClaims
import WorkerRuntime

/// `claim-status CLAIM_ID --store PATH [--json]`, or `--member MEMBER_ID` for a member's claims.
/// Exit status: 0 found, 1 not found, 2 error (including usage errors).
struct ClaimStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim-status",
        abstract: "Show a mutual-aid claim (or a member's claims) from the worker's store.",
        discussion: """
            Opens the store read-only, so it works while the worker writes. Names are masked; identity and \
            phone numbers are never shown. Exit status: 0 found, 1 not found, 2 error.
            """)

    @Argument(help: "The claim id.") var claimID: String?
    @Option(help: "The mutual-aid worker's store: its SQLite file, or its postgresql:// URL (password from PGPASSWORD).") var store: String
    @Option(help: "List this member's claims instead of one claim.") var member: String?
    @Flag(help: "Print JSON (the contract's form) instead of text.") var json = false

    func validate() throws {
        guard (claimID == nil) != (member == nil) else { throw ValidationError("give either a CLAIM_ID or --member MEMBER_ID") }
    }

    func run() throws {
        let reader: StoreReader
        do {
            reader = try StoreReader(location: store)
        } catch {
            throw ClaimStatusFailure("cannot open the store \(store): \(error)")
        }
        do {
            if let claimID {
                guard let report = try ClaimStatusReport.load(claimID: claimID, store: reader) else {
                    FileHandle.standardError.write(Data("claim \(claimID) not found\n".utf8))
                    throw ExitCode(1)
                }
                print(json ? String(decoding: JSONWriter.encode(report.json), as: UTF8.self) : report.text)
            } else if let member {
                let reports = try ClaimStatusReport.load(memberID: member, store: reader)
                guard !reports.isEmpty else {
                    FileHandle.standardError.write(Data("no claims for member \(member)\n".utf8))
                    throw ExitCode(1)
                }
                print(json ? String(decoding: JSONWriter.encode(.array(reports.map(\.json))), as: UTF8.self)
                           : reports.map(\.text).joined(separator: "\n\n"))
            }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw ClaimStatusFailure("cannot read the store \(store): \(error)")
        }
    }
}

/// An error a person can act on (no stack trace).
struct ClaimStatusFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

@main
enum ClaimStatusMain {
    static func main() {
        do {
            var command = try ClaimStatusCommand.parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = ClaimStatusCommand.exitCode(for: error)
            if code == .success {  // --help
                print(ClaimStatusCommand.fullMessage(for: error))
                exit(0)
            }
            FileHandle.standardError.write(Data(("claim-status: " + ClaimStatusCommand.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
    }
}
