import WorkerRuntime

/// What the benefits rules read and write: registered workers and their activity, applications with their
/// vouchers, quota seats and redemptions. One implementation per store engine (`SQLiteBenefitRecords`),
/// opened on a batch's transaction.
public protocol BenefitRecords {
    // Workers and activity
    func occupation(of workerID: String) throws -> String?
    /// The same as `occupation`, which never changes once registered, so it may be remembered between events.
    func rememberedOccupation(of workerID: String) throws -> String?
    /// Whether a worker registered with this identity number (compared as keyed hashes).
    func identityTaken(_ number: String) throws -> Bool
    func insertWorker(id: String, name: String, identityNumber: String, occupation: String, platforms: [String], district: String, at time: Instant) throws
    /// Sets a day's report for one platform (a later report of the same day and platform replaces it).
    func setActivity(workerID: String, platform: String, day: LocalDate, orders: Int64, onlineMinutes: Int64) throws
    /// Days in [from, to] whose reports, summed over platforms, reach both thresholds.
    func activeDays(workerID: String, from: LocalDate, to: LocalDate, minOrders: Int, minMinutes: Int) throws -> Int

    // Applications, quotas and vouchers
    func application(id: String) throws -> BenefitApplication?
    func application(voucherCode: String) throws -> BenefitApplication?
    /// GRANTED and REDEEMED applications of a benefit in a year (the yearly limit counts these).
    func usedCount(workerID: String, benefitCode: String, year: Int) throws -> Int
    func seatsTaken(benefitCode: String, year: Int) throws -> Int
    func changeSeats(benefitCode: String, year: Int, by delta: Int) throws
    func insertApplication(id: String, workerID: String, benefitCode: String, year: Int, state: ApplicationStateMachine.State, reasonCode: String?,
                           activeDays: Int, voucherCode: String?, validUntil: LocalDate?, catalogueVersion: String, context: EventContext) throws
    /// The place of a WAITLISTED application among its benefit's waiting list for the year (1 = next).
    func waitlistPosition(seq: Int64, benefitCode: String, year: Int) throws -> Int
    func earliestWaitlisted(benefitCode: String, year: Int) throws -> BenefitApplication?
    func setState(applicationID: String, state: ApplicationStateMachine.State) throws
    /// Grants a waiting application its voucher.
    func grant(applicationID: String, voucherCode: String, validUntil: LocalDate) throws

    // Redemptions
    func redemptionExists(_ id: String) throws -> Bool
    func insertRedemption(id: String, applicationID: String, siteID: String, context: EventContext) throws
}

/// An application as the rules see it.
public struct BenefitApplication: Sendable {
    /// Its place in the order applications arrived (the waiting list's order).
    public let seq: Int64
    public let id: String
    public let workerID: String
    public let benefitCode: String
    public let year: Int
    public let state: ApplicationStateMachine.State
    public let validUntil: String?

    public init(seq: Int64, id: String, workerID: String, benefitCode: String, year: Int, state: ApplicationStateMachine.State, validUntil: String?) {
        self.seq = seq
        self.id = id
        self.workerID = workerID
        self.benefitCode = benefitCode
        self.year = year
        self.state = state
        self.validUntil = validUntil
    }
}
