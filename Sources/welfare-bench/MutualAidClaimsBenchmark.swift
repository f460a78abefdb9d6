import ArgumentParser
import Foundation
import GRDB
import MutualAidClaims
import SampleStreams
import WelfareDomains
import WorkerRuntime

/// The mutual-aid claims worker end to end on a realistic mix, and claim-status on a large store.
struct MutualAidClaimsBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mutual-aid-claims",
        abstract: "Measure mutual-aid-claims-worker on a realistic mix, then claim-status lookups on a store of many claims.")

    @Option(help: "Events of the mix (enrolments, submissions, documents, reviews, payments).") var events = 300_000
    @Option(help: "Members.") var members = 20_000
    @Option(help: "Partitions of the input topic.") var partitions = 64
    @Option(help: "Claims in the store for the claim-status timing (0 skips it).") var lookupClaims = 1_000_000
    @Option(help: "claim-status runs to time.") var lookups = 200
    @Option(help: "Run on this existing store (one `welfare-bench seed` made) instead of an empty one; it keeps the run's rows.") var store: String?

    func run() throws {
        let stream = MutualAidClaimsStream(members: members, seed: 99, faultEvery: 0).messages(count: events)
        try WorkerBenchmarkRun(domain: WelfareDomains.mutualAidClaims, partitions: partitions, existingStore: store)
            .run(messages: stream.map { (Array($0.key.utf8), $0.value) })
        if let store { try timeLookups(path: store) }
        if lookupClaims > 0 { try timeClaimStatus() }
    }

    /// Times `claim-status` on claims of an existing store, spread over it (p50 and p99 of whole processes).
    private func timeLookups(path: String) throws {
        let reader = try SQLiteStore.openReadOnly(path: path)
        let (claims, ids) = try reader.read { db in
            let count = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM ma_claims") ?? 0
            return (count, try String.fetchAll(db, sql: "SELECT claim_id FROM ma_claims WHERE rowid % ? = 0 LIMIT ?", arguments: [max(1, count / max(1, lookups)), lookups]))
        }
        try reader.close()
        let times = try Self.claimStatusMilliseconds(ids, store: path).sorted()
        guard !times.isEmpty else { throw BenchmarkError("no claims in \(path)") }
        print(String(format: "claim-status on the store's %d claims (whole process, %d runs): p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                     claims, times.count, times[times.count / 2], times[min(times.count - 1, times.count * 99 / 100)], times.last ?? 0))
    }

    /// Fills a store with claims directly (far faster than replaying submissions), then times the command.
    private func timeClaimStatus() throws {
        try BenchmarkSupport.withScratchDirectory { directory in
            let path = directory.appendingPathComponent("claims.sqlite").path
            let domain = MutualAidClaimsDomain()
            let store = try SQLiteStore(path: path, for: domain)
            let fillStart = ContinuousClock.now
            try store.queue.write { db in
                let member = try FastStatement(db, sql: "INSERT INTO ma_members (member_id, name, identity_hash, community_id) VALUES (?, ?, ?, 'COMM-1')")
                for index in 0..<(lookupClaims / 10) {
                    try member.execute(.text("M-\(index)"), .text("张三明"), .blob(ReadableCode.hash("id-\(index)")))
                }
                let claim = try FastStatement(db, sql: """
                    INSERT INTO ma_claims (claim_id, member_id, risk_code, incident_date, plan_year, status, documents, missing_documents,
                        hospital_days, approved_fen, rule_version, submitted_at)
                    VALUES (?, ?, 'HOSPITALIZATION', '2026-05-01', 2026, 'APPROVED', '["id_card","discharge_summary","invoice"]', '[]', 15, 120000, 'bench', '2026-05-10T09:00:00+08:00')
                    """)
                let history = try FastStatement(db, sql: "INSERT INTO ma_claim_history (claim_id, seq, status, at, event_id, event_type) VALUES (?, ?, ?, '2026-05-10T09:00:00+08:00', ?, 'bench')")
                for index in 0..<lookupClaims {
                    let id = "C-\(index)"
                    try claim.execute(.text(id), .text("M-\(index / 10)"))
                    for (seq, status) in ["DOCUMENTS_REQUESTED", "UNDER_REVIEW", "APPROVED"].enumerated() {
                        try history.execute(.text(id), .int(seq), .text(status), .text("e-\(index)-\(seq)"))
                    }
                }
            }
            print(String(format: "claim-status store: %d claims, %d history rows, filled in %.1f s", lookupClaims, lookupClaims * 3, (ContinuousClock.now - fillStart).seconds))
            var times = try Self.claimStatusMilliseconds((0..<lookups).map { "C-\(($0 * 7_919_993) % lookupClaims)" }, store: path)
            let first = times.first ?? 0
            times.sort()
            print(String(format: "claim-status (whole process, %d runs): p50 %.1f ms, max %.1f ms (the first, right after the fill: %.1f ms)",
                         lookups, times[times.count / 2], times.last ?? 0, first))
            // The lookup itself, without process start-up.
            let reader = try StoreReader(location: path)
            let lookupStart = ContinuousClock.now
            for run in 0..<1_000 { _ = try ClaimStatusReport.load(claimID: "C-\((run * 7_919) % lookupClaims)", store: reader) }
            print(String(format: "claim lookup in process: %.3f ms each (1,000 lookups)", (ContinuousClock.now - lookupStart).seconds))
        }
    }

    /// How long `claim-status` took for each claim, as a whole process, in milliseconds. posix_spawn and waitpid:
    /// Foundation's Process.waitUntilExit polls in 50 ms steps on Linux, which would be measured instead.
    private static func claimStatusMilliseconds(_ claimIDs: [String], store path: String) throws -> [Double] {
        let executable = BenchmarkSupport.binDirectory.appendingPathComponent("claim-status").path
        return try claimIDs.map { id in
            let start = ContinuousClock.now
            let status = try BenchmarkSupport.spawnAndWait(executable, [id, "--store", path, "--json"])
            guard status == 0 else { throw BenchmarkError("claim-status exited \(status)") }
            return (ContinuousClock.now - start).seconds * 1000
        }
    }
}
