import PostgreSQL
import WorkerRuntime

/// The benefits records in PostgreSQL, for several instances at once. A worker's own rows travel on the
/// worker's partition, but quotas and the waiting list are shared: seats are counted and the waiting list
/// is read only under one transaction-scoped advisory lock (`quotaLock`), taken at a batch's first look at
/// them and held to its commit, and an application is locked (`FOR UPDATE`) when read, since another
/// partition's cancellation may promote it. One lock for all quotas rather than a row lock per benefit:
/// batches locking two benefits' rows in opposite orders would deadlock each other. The outcome is the one
/// some single writer would have reached; a deadlock that remains is retried as a transient fault.
final class PostgresBenefitRecords: BenefitRecords {
    let identity: IdentityKey
    let memo: StoreMemo
    let transaction: StoreTransaction
    private let connection: PostgresConnection
    /// Whether this transaction holds the quota lock.
    private var holdsQuotaLock = false
    /// The advisory lock key of the benefits' quotas and waiting lists.
    static let quotaLock: Int64 = 7_270_603

    init(_ transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws {
        self.transaction = transaction
        self.identity = identity
        self.memo = memo
        connection = try transaction.postgres
    }

    private static let applicationColumns = "seq, application_id, worker_id, benefit_code, year, state, valid_until"

    private static func application(_ rows: PostgresResult) throws -> BenefitApplication? {
        guard rows.rowCount > 0 else { return nil }
        let state = rows.text(0, 5) ?? ""
        guard let known = ApplicationStateMachine.State(rawValue: state) else { throw StoreError("an application has an unknown state \(state)") }
        return BenefitApplication(seq: rows.integer(0, 0) ?? 0, id: rows.text(0, 1) ?? "", workerID: rows.text(0, 2) ?? "", benefitCode: rows.text(0, 3) ?? "",
                                  year: Int(rows.integer(0, 4) ?? 0), state: known, validUntil: rows.text(0, 6))
    }

    /// Takes the quota lock for the rest of the transaction (once): every instance counting seats or reading
    /// a waiting list waits for it.
    private func lockQuotas() throws {
        guard !holdsQuotaLock else { return }
        try connection.query("SELECT pg_advisory_xact_lock($1)", [.integer(Self.quotaLock)])
        holdsQuotaLock = true
    }

    // MARK: Workers and activity

    func occupation(of workerID: String) throws -> String? {
        try connection.query("SELECT occupation FROM ne_workers WHERE worker_id = $1", [.text(workerID)]).text(0, 0)
    }

    func rememberedOccupation(of workerID: String) throws -> String? {
        try memo.value(for: workerID, in: transaction, fetch: { try occupation(of: workerID) })
    }

    func identityTaken(_ number: String) throws -> Bool {
        try connection.query("SELECT 1 FROM ne_workers WHERE identity_hash = $1", [.bytes(identity.hash(ofIdentityNumber: number))]).rowCount > 0
    }

    func insertWorker(id: String, name: String, identityNumber: String, occupation: String, platforms: [String], district: String, at time: Instant) throws {
        let list = String(decoding: JSONWriter.encode(.array(platforms.map(JSONValue.string))), as: UTF8.self)
        try connection.send("""
            INSERT INTO ne_workers (worker_id, name, identity_hash, occupation, platforms, district, registered_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [.text(id), .text(name), .bytes(identity.hash(ofIdentityNumber: identityNumber)), .text(occupation), .text(list), .text(district), .text(time.text)])
    }

    func setActivity(workerID: String, platform: String, day: LocalDate, orders: Int64, onlineMinutes: Int64) throws {
        try connection.sendRow(Self.upsertActivity, [.text(workerID), .text(day.description), .text(platform), .integer(orders), .integer(onlineMinutes)])
    }

    /// Activity reports go a batch at a time (`PostgresConnection.sendRow`): the last report of a worker's day
    /// on a platform is the one kept, as one statement per report would leave it.
    private static let upsertActivity = RowStatement(upsert: """
        INSERT INTO ne_activity (worker_id, day, platform, orders, online_minutes)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
        ON CONFLICT (worker_id, day, platform) DO UPDATE SET orders = excluded.orders, online_minutes = excluded.online_minutes
        """, columns: 5, key: [0, 1, 2])

    func activeDays(workerID: String, from: LocalDate, to: LocalDate, minOrders: Int, minMinutes: Int) throws -> Int {
        Int(try connection.query("""
            SELECT count(*) FROM (
                SELECT day FROM ne_activity WHERE worker_id = $1 AND day >= $2 AND day <= $3
                GROUP BY day HAVING sum(orders) >= $4 AND sum(online_minutes) >= $5) active
            """, [.text(workerID), .text(from.description), .text(to.description), .int(minOrders), .int(minMinutes)]).integer(0, 0) ?? 0)
    }

    // MARK: Applications

    func application(id: String) throws -> BenefitApplication? {
        try Self.application(connection.query("SELECT \(Self.applicationColumns) FROM ne_applications WHERE application_id = $1 FOR UPDATE", [.text(id)]))
    }

    func application(voucherCode: String) throws -> BenefitApplication? {
        try Self.application(connection.query("SELECT \(Self.applicationColumns) FROM ne_applications WHERE voucher_hash = $1 FOR UPDATE",
                                              [.bytes(ReadableCode.hash(voucherCode))]))
    }

    func usedCount(workerID: String, benefitCode: String, year: Int) throws -> Int {
        Int(try connection.query("""
            SELECT count(*) FROM ne_applications WHERE worker_id = $1 AND benefit_code = $2 AND year = $3 AND state IN ('GRANTED', 'REDEEMED')
            """, [.text(workerID), .text(benefitCode), .int(year)]).integer(0, 0) ?? 0)
    }

    func seatsTaken(benefitCode: String, year: Int) throws -> Int {
        try lockQuotas()
        return Int(try connection.query("SELECT taken FROM ne_quota_seats WHERE benefit_code = $1 AND year = $2",
                                        [.text(benefitCode), .int(year)]).integer(0, 0) ?? 0)
    }

    func changeSeats(benefitCode: String, year: Int, by delta: Int) throws {
        try lockQuotas()
        try connection.send("""
            INSERT INTO ne_quota_seats (benefit_code, year, taken) VALUES ($1, $2, $3)
            ON CONFLICT (benefit_code, year) DO UPDATE SET taken = ne_quota_seats.taken + excluded.taken
            """, [.text(benefitCode), .int(year), .int(delta)])
    }

    func insertApplication(id: String, workerID: String, benefitCode: String, year: Int, state: ApplicationStateMachine.State, reasonCode: String?,
                           activeDays: Int, voucherCode: String?, validUntil: LocalDate?, catalogueVersion: String, context: EventContext) throws {
        try connection.send("""
            INSERT INTO ne_applications (application_id, worker_id, benefit_code, year, state, reason_code, active_days, voucher_hash,
                valid_until, catalogue_version, applied_at, event_id)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """, [.text(id), .text(workerID), .text(benefitCode), .int(year), .text(state.rawValue), .optionalText(reasonCode), .int(activeDays),
                  voucherCode.map { .bytes(ReadableCode.hash($0)) } ?? .null, .optionalText(validUntil?.description), .text(catalogueVersion),
                  .text(context.time.text), .text(context.eventID)])
    }

    func waitlistPosition(seq: Int64, benefitCode: String, year: Int) throws -> Int {
        try lockQuotas()
        return Int(try connection.query("""
            SELECT count(*) FROM ne_applications WHERE benefit_code = $1 AND year = $2 AND state = 'WAITLISTED' AND seq <= $3
            """, [.text(benefitCode), .int(year), .integer(seq)]).integer(0, 0) ?? 0)
    }

    /// The earliest application still waiting, locked. Under the quota lock no application joins the list;
    /// one may leave it (its worker's cancellation, committed meanwhile), so the lock is taken on a row that
    /// is re-checked, and the next one tried if it has left.
    func earliestWaitlisted(benefitCode: String, year: Int) throws -> BenefitApplication? {
        try lockQuotas()
        var after: Int64 = -1
        while true {
            let candidate = try connection.query("""
                SELECT seq FROM ne_applications WHERE benefit_code = $1 AND year = $2 AND state = 'WAITLISTED' AND seq > $3 ORDER BY seq LIMIT 1
                """, [.text(benefitCode), .int(year), .integer(after)])
            guard let seq = candidate.integer(0, 0) else { return nil }
            if let locked = try Self.application(connection.query("""
                SELECT \(Self.applicationColumns) FROM ne_applications WHERE seq = $1 AND state = 'WAITLISTED' FOR UPDATE
                """, [.integer(seq)])) {
                return locked
            }
            after = seq
        }
    }

    func setState(applicationID: String, state: ApplicationStateMachine.State) throws {
        try connection.send("UPDATE ne_applications SET state = $1 WHERE application_id = $2", [.text(state.rawValue), .text(applicationID)])
    }

    func grant(applicationID: String, voucherCode: String, validUntil: LocalDate) throws {
        try connection.send("UPDATE ne_applications SET state = 'GRANTED', voucher_hash = $1, valid_until = $2 WHERE application_id = $3",
                             [.bytes(ReadableCode.hash(voucherCode)), .text(validUntil.description), .text(applicationID)])
    }

    // MARK: Redemptions

    func redemptionExists(_ id: String) throws -> Bool {
        try connection.query("SELECT 1 FROM ne_redemptions WHERE redemption_id = $1", [.text(id)]).rowCount > 0
    }

    func insertRedemption(id: String, applicationID: String, siteID: String, context: EventContext) throws {
        try connection.send("INSERT INTO ne_redemptions (redemption_id, application_id, site_id, redeemed_at, event_id) VALUES ($1, $2, $3, $4, $5)",
                             [.text(id), .text(applicationID), .text(siteID), .text(context.time.text), .text(context.eventID)])
    }
}
