import WorkerRuntime

/// The new-employment benefits domain (contract `new-employment-benefits.md`): workers, their daily
/// activity, applications decided against the catalogue with yearly quotas and a waiting list, single-use
/// vouchers, redemptions and cancellations that promote the next in line.
public struct NewEmploymentBenefitsDomain: WorkerDomain {
    public static let workerName = "new-employment-benefits"
    public static let defaultInputTopic = "welfare.new-employment-benefits"
    public static var configurationKeys: [ConfigurationKey] { BenefitSettings.keys }
    /// Activity reports upsert one row each into a worker-ordered table: large transactions spread each
    /// commit's cost over more of them.
    public static var defaultBatchMaxMessages: Int { 10_000 }

    public let settings: BenefitSettings
    public var workerName: String { Self.workerName }
    public var identityHashColumns: [IdentityHashColumn] { [IdentityHashColumn(table: "ne_workers", column: "identity_hash")] }
    public var entityIDField: String { "worker_id" }
    public var eventTypes: Set<String> { BenefitEvent.types }

    public init(settings: BenefitSettings) { self.settings = settings }

    public init(configuration: WorkerConfiguration) throws {
        settings = try BenefitSettings(configuration: configuration)
    }

    public static func controls(of engine: WorkerEngine<NewEmploymentBenefitsDomain>) -> EngineControls { EngineControls(engine) }

    public func decode(type: String, data: DataReader) throws(DataError) -> BenefitEvent {
        try BenefitEvent.decode(type: type, data: data)
    }

    public typealias Records = any BenefitRecords

    public func schema(for engine: StoreEngine) -> [SchemaMigration] {
        switch engine {
        case .sqlite: BenefitSchema.sqlite
        case .postgresql: BenefitSchema.postgresql
        }
    }

    public func records(in transaction: StoreTransaction, identity: IdentityKey, memo: StoreMemo) throws -> any BenefitRecords {
        switch transaction.engine {
        case .sqlite: try SQLiteBenefitRecords(transaction, identity: identity, memo: memo)
        case .postgresql: try PostgresBenefitRecords(transaction, identity: identity, memo: memo)
        }
    }

    public func apply(_ event: BenefitEvent, context: EventContext, records store: any BenefitRecords) throws -> DomainDecision {
        switch event {
        case .registered(let workerID, let name, let identityNumber, let occupation, let platforms, let district):
            if try store.occupation(of: workerID) != nil { return reject("ALREADY_REGISTERED", "worker \(workerID) is already registered") }
            if try store.identityTaken(identityNumber) { return reject("DUPLICATE_IDENTITY", "the identity number belongs to another worker") }
            try store.insertWorker(id: workerID, name: name, identityNumber: identityNumber, occupation: occupation, platforms: platforms,
                                   district: district, at: context.time)
            return .applied([BenefitNotices.welcome(workerID: workerID, occupation: occupation)])

        case .activityReported(let workerID, let platform, let day, let orders, let onlineMinutes):
            guard try store.rememberedOccupation(of: workerID) != nil else {
                return reject("UNKNOWN_WORKER", "worker \(workerID) is not registered")
            }
            guard day <= context.date else { return reject("FUTURE_DAY", "day \(day) is after the event's date \(context.date)") }
            try store.setActivity(workerID: workerID, platform: platform, day: day, orders: orders, onlineMinutes: onlineMinutes)
            return .applied([])

        case .applied(let applicationID, let workerID, let benefitCode):
            return try apply(applicationID: applicationID, workerID: workerID, benefitCode: benefitCode, context, store)

        case .voucherRedeemed(let redemptionID, let workerID, let voucherCode, let siteID):
            if try store.redemptionExists(redemptionID) { return .duplicate(detail: "redemption \(redemptionID) was already applied") }
            guard let application = try store.application(voucherCode: voucherCode), application.workerID == workerID else {
                return reject("UNKNOWN_VOUCHER", "no voucher with this code for worker \(workerID)")
            }
            if application.state == .cancelled { return reject("VOUCHER_CANCELLED", "the application \(application.id) was cancelled") }
            if application.state == .redeemed { return reject("ALREADY_REDEEMED", "the voucher was already redeemed") }
            guard ApplicationStateMachine.allows(.redeem, from: application.state) else {
                return reject("ILLEGAL_TRANSITION", "application \(application.id) is \(application.state.rawValue), not GRANTED")
            }
            if let validUntil = application.validUntil.flatMap(LocalDate.init(iso:)), context.date > validUntil {
                return reject("VOUCHER_EXPIRED", "the voucher was valid until \(validUntil)")
            }
            try store.setState(applicationID: application.id, state: .redeemed)
            try store.insertRedemption(id: redemptionID, applicationID: application.id, siteID: siteID, context: context)
            return .applied([BenefitNotices.redeemed(workerID: workerID, voucherCode: voucherCode, benefitCode: application.benefitCode, siteID: siteID)])

        case .cancelled(let applicationID, let workerID, _):
            guard let application = try store.application(id: applicationID), application.workerID == workerID else {
                return reject("UNKNOWN_APPLICATION", "no application \(applicationID) for worker \(workerID)")
            }
            guard ApplicationStateMachine.allows(.cancel, from: application.state) else {
                return reject("ILLEGAL_TRANSITION", "application \(applicationID) is \(application.state.rawValue), not GRANTED or WAITLISTED")
            }
            try store.setState(applicationID: applicationID, state: .cancelled)
            var notices = [BenefitNotices.cancelled(workerID: workerID, applicationID: applicationID, benefitCode: application.benefitCode)]
            if application.state == .granted, settings.catalogue.benefit(application.benefitCode)?.yearlyQuota != nil {
                // The seat goes to the earliest on the waiting list, whatever partition its worker's events use.
                if let next = try store.earliestWaitlisted(benefitCode: application.benefitCode, year: application.year),
                   ApplicationStateMachine.allows(.promote, from: next.state), let benefit = settings.catalogue.benefit(application.benefitCode) {
                    let code = voucherCode(applicationID: next.id, workerID: next.workerID, benefitCode: next.benefitCode)
                    let validUntil = context.date.adding(days: benefit.voucherValidDays)
                    try store.grant(applicationID: next.id, voucherCode: code, validUntil: validUntil)
                    notices.append(BenefitNotices.granted(workerID: next.workerID, applicationID: next.id, benefitCode: next.benefitCode,
                                                          voucherCode: code, validUntil: validUntil, promoted: true))
                } else {
                    try store.changeSeats(benefitCode: application.benefitCode, year: application.year, by: -1)
                }
            }
            return .applied(notices)
        }
    }

    private func apply(applicationID: String, workerID: String, benefitCode: String, _ context: EventContext, _ store: any BenefitRecords) throws -> DomainDecision {
        guard let occupation = try store.occupation(of: workerID) else { return reject("UNKNOWN_WORKER", "worker \(workerID) is not registered") }
        guard let benefit = settings.catalogue.benefit(benefitCode) else { return reject("UNKNOWN_BENEFIT", "benefit \(benefitCode) is not in the catalogue") }
        if try store.application(id: applicationID) != nil { return reject("DUPLICATE_APPLICATION", "application \(applicationID) already exists") }
        let year = context.date.year
        let activeDays = try store.activeDays(
            workerID: workerID, from: context.date.adding(days: -settings.activityWindowDays), to: context.date.adding(days: -1),
            minOrders: settings.activeDayMinOrders, minMinutes: settings.activeDayMinOnlineMinutes)
        let decision = Eligibility.decide(
            occupation: occupation, benefit: benefit, activeDays: activeDays,
            usedThisYear: try store.usedCount(workerID: workerID, benefitCode: benefitCode, year: year),
            seatsTaken: try store.seatsTaken(benefitCode: benefitCode, year: year))
        let version = settings.catalogue.version
        switch decision {
        case .denied(let reasonCode):
            try store.insertApplication(id: applicationID, workerID: workerID, benefitCode: benefitCode, year: year, state: .denied, reasonCode: reasonCode,
                                        activeDays: activeDays, voucherCode: nil, validUntil: nil, catalogueVersion: version, context: context)
            return .applied([BenefitNotices.denied(workerID: workerID, applicationID: applicationID, benefitCode: benefitCode, reasonCode: reasonCode,
                                                   activeDays: activeDays, required: benefit.minActiveDays)])
        case .waitlisted:
            try store.insertApplication(id: applicationID, workerID: workerID, benefitCode: benefitCode, year: year, state: .waitlisted, reasonCode: nil,
                                        activeDays: activeDays, voucherCode: nil, validUntil: nil, catalogueVersion: version, context: context)
            let seq = try store.application(id: applicationID)?.seq ?? 0
            let position = try store.waitlistPosition(seq: seq, benefitCode: benefitCode, year: year)
            return .applied([BenefitNotices.waitlisted(workerID: workerID, applicationID: applicationID, benefitCode: benefitCode, position: position)])
        case .granted:
            let code = voucherCode(applicationID: applicationID, workerID: workerID, benefitCode: benefitCode)
            let validUntil = context.date.adding(days: benefit.voucherValidDays)
            try store.insertApplication(id: applicationID, workerID: workerID, benefitCode: benefitCode, year: year, state: .granted, reasonCode: nil,
                                        activeDays: activeDays, voucherCode: code, validUntil: validUntil, catalogueVersion: version, context: context)
            if benefit.yearlyQuota != nil { try store.changeSeats(benefitCode: benefitCode, year: year, by: 1) }
            return .applied([BenefitNotices.granted(workerID: workerID, applicationID: applicationID, benefitCode: benefitCode,
                                                    voucherCode: code, validUntil: validUntil, promoted: false)])
        }
    }

    /// The voucher code of an application: keyed with the secret, the same on every replay.
    public func voucherCode(applicationID: String, workerID: String, benefitCode: String) -> String {
        ReadableCode.make(secret: settings.voucherSecret, parts: ["voucher", applicationID, workerID, benefitCode])
    }

    private func reject(_ code: String, _ detail: String) -> DomainDecision {
        .rejected(reasonCode: code, detail: detail, notices: [])
    }
}
