import Foundation
import GRDB
import WorkerRuntime

/// The benefits records in SQLite: all of the domain's SQL. The per-event statements bind and read through
/// SQLite's C API (`FastStatement`), where GRDB's argument arrays and row decoding cost more than the SQL.
struct SQLiteBenefitRecords: BenefitRecords {
    /// Identity numbers are kept only as keyed hashes made with this key.
    let identity: IdentityKey
    let memo: StoreMemo
    let transaction: StoreTransaction
    /// The connection inside `transaction`.
    let db: Database

    init(_ transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws {
        self.transaction = transaction
        db = try transaction.sqlite
        self.identity = identity
        self.memo = memo
    }

    private static let applicationColumns = "seq, application_id, worker_id, benefit_code, year, state, valid_until"

    private static func application(_ row: Row) throws -> BenefitApplication {
        // Columns by position (the order of applicationColumns): GRDB's lookup by name folds case on every access.
        let state: String = row[5]
        guard let known = ApplicationStateMachine.State(rawValue: state) else { throw StoreError("an application has an unknown state \(state)") }
        return BenefitApplication(seq: row[0], id: row[1], workerID: row[2], benefitCode: row[3], year: row[4], state: known, validUntil: row[6])
    }

    // MARK: Workers and activity

    func occupation(of workerID: String) throws -> String? {
        try FastStatement(db, sql: "SELECT occupation FROM ne_workers WHERE worker_id = ?").row(.text(workerID)) { $0.text(0) }
    }

    /// A worker stays registered with the same occupation: the memo spares a search per report.
    func rememberedOccupation(of workerID: String) throws -> String? {
        try memo.value(for: workerID, in: transaction, fetch: { try occupation(of: workerID) })
    }

    func identityTaken(_ number: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM ne_workers WHERE identity_hash = ?"), arguments: [Data(identity.hash(ofIdentityNumber: number))]) ?? false
    }

    func insertWorker(id: String, name: String, identityNumber: String, occupation: String, platforms: [String], district: String, at time: Instant) throws {
        let list = String(decoding: JSONWriter.encode(.array(platforms.map(JSONValue.string))), as: UTF8.self)
        try db.cachedStatement(sql: """
            INSERT INTO ne_workers (worker_id, name, identity_hash, occupation, platforms, district, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, name, Data(identity.hash(ofIdentityNumber: identityNumber)), occupation, list, district, time.text])
    }

    func setActivity(workerID: String, platform: String, day: LocalDate, orders: Int64, onlineMinutes: Int64) throws {
        try FastStatement(db, sql: """
            INSERT INTO ne_activity (worker_id, day, platform, orders, online_minutes) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (worker_id, day, platform) DO UPDATE SET orders = excluded.orders, online_minutes = excluded.online_minutes
            """).execute(.text(workerID), .text(day.description), .text(platform), .integer(orders), .integer(onlineMinutes))
    }

    /// Days in [from, to] whose reports, summed over platforms, reach both thresholds (an index range scan).
    func activeDays(workerID: String, from: LocalDate, to: LocalDate, minOrders: Int, minMinutes: Int) throws -> Int {
        Int(try FastStatement(db, sql: """
            SELECT COUNT(*) FROM (
                SELECT day FROM ne_activity WHERE worker_id = ? AND day >= ? AND day <= ?
                GROUP BY day HAVING SUM(orders) >= ? AND SUM(online_minutes) >= ?)
            """).integer(.text(workerID), .text(from.description), .text(to.description), .int(minOrders), .int(minMinutes)) ?? 0)
    }

    // MARK: Applications

    func application(id: String) throws -> BenefitApplication? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.applicationColumns) FROM ne_applications WHERE application_id = ?"), arguments: [id]).map(Self.application)
    }

    func application(voucherCode: String) throws -> BenefitApplication? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.applicationColumns) FROM ne_applications WHERE voucher_hash = ?"),
                         arguments: [Data(ReadableCode.hash(voucherCode))]).map(Self.application)
    }

    /// GRANTED and REDEEMED applications of a benefit in a year (the yearly limit counts these).
    func usedCount(workerID: String, benefitCode: String, year: Int) throws -> Int {
        Int(try FastStatement(db, sql: """
            SELECT COUNT(*) FROM ne_applications WHERE worker_id = ? AND benefit_code = ? AND year = ? AND state IN ('GRANTED', 'REDEEMED')
            """).integer(.text(workerID), .text(benefitCode), .int(year)) ?? 0)
    }

    func seatsTaken(benefitCode: String, year: Int) throws -> Int {
        Int(try FastStatement(db, sql: "SELECT taken FROM ne_quota_seats WHERE benefit_code = ? AND year = ?").integer(.text(benefitCode), .int(year)) ?? 0)
    }

    func changeSeats(benefitCode: String, year: Int, by delta: Int) throws {
        try db.cachedStatement(sql: """
            INSERT INTO ne_quota_seats (benefit_code, year, taken) VALUES (?, ?, ?)
            ON CONFLICT (benefit_code, year) DO UPDATE SET taken = taken + excluded.taken
            """).execute(arguments: [benefitCode, year, delta])
    }

    func insertApplication(id: String, workerID: String, benefitCode: String, year: Int, state: ApplicationStateMachine.State, reasonCode: String?,
                           activeDays: Int, voucherCode: String?, validUntil: LocalDate?, catalogueVersion: String, context: EventContext) throws {
        try db.cachedStatement(sql: """
            INSERT INTO ne_applications (application_id, worker_id, benefit_code, year, state, reason_code, active_days, voucher_hash,
                valid_until, catalogue_version, applied_at, event_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [id, workerID, benefitCode, year, state.rawValue, reasonCode, activeDays, voucherCode.map { Data(ReadableCode.hash($0)) },
                             validUntil?.description, catalogueVersion, context.time.text, context.eventID])
    }

    /// The place of a WAITLISTED application among its benefit's waiting list for the year (1 = next).
    func waitlistPosition(seq: Int64, benefitCode: String, year: Int) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM ne_applications WHERE benefit_code = ? AND year = ? AND state = 'WAITLISTED' AND seq <= ?
            """), arguments: [benefitCode, year, seq]) ?? 0
    }

    func earliestWaitlisted(benefitCode: String, year: Int) throws -> BenefitApplication? {
        try Row.fetchOne(db.cachedStatement(sql: """
            SELECT \(Self.applicationColumns) FROM ne_applications WHERE benefit_code = ? AND year = ? AND state = 'WAITLISTED' ORDER BY seq LIMIT 1
            """), arguments: [benefitCode, year]).map(Self.application)
    }

    func setState(applicationID: String, state: ApplicationStateMachine.State) throws {
        try db.cachedStatement(sql: "UPDATE ne_applications SET state = ? WHERE application_id = ?").execute(arguments: [state.rawValue, applicationID])
    }

    func grant(applicationID: String, voucherCode: String, validUntil: LocalDate) throws {
        try db.cachedStatement(sql: "UPDATE ne_applications SET state = 'GRANTED', voucher_hash = ?, valid_until = ? WHERE application_id = ?").execute(
                       arguments: [Data(ReadableCode.hash(voucherCode)), validUntil.description, applicationID])
    }

    // MARK: Redemptions

    func redemptionExists(_ id: String) throws -> Bool {
        try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM ne_redemptions WHERE redemption_id = ?"), arguments: [id]) ?? false
    }

    func insertRedemption(id: String, applicationID: String, siteID: String, context: EventContext) throws {
        try db.cachedStatement(sql: "INSERT INTO ne_redemptions (redemption_id, application_id, site_id, redeemed_at, event_id) VALUES (?, ?, ?, ?, ?)").execute(
                       arguments: [id, applicationID, siteID, context.time.text, context.eventID])
    }
}
