import WorkerRuntime

extension VolunteerHoursDomain {
    func register(_ registration: VolunteerEvent.Registration, _ context: EventContext, _ store: any VolunteerRecords) throws -> DomainDecision {
        if try store.volunteer(registration.volunteerID) != nil {
            return reject("ALREADY_REGISTERED", "volunteer \(registration.volunteerID) is already registered")
        }
        if try store.identityBelongsToAnother(registration.identityNumber) {
            return reject("DUPLICATE_IDENTITY", "the identity number belongs to another volunteer")
        }
        let age = registration.birthDate.fullYears(until: context.date)
        if age < settings.minimumAge {
            return reject("UNDERAGE", "aged \(age) on \(context.date); the minimum is \(settings.minimumAge)")
        }
        if age < settings.guardianConsentBelowAge && !registration.guardianConsent {
            return reject("GUARDIAN_CONSENT_REQUIRED", "aged \(age); under \(settings.guardianConsentBelowAge) needs guardian_consent")
        }
        try store.insertVolunteer(registration, at: context.time)
        return .applied([VolunteerNotices.welcome(volunteerID: registration.volunteerID)])
    }

    func submit(_ submission: VolunteerEvent.Submission, _ context: EventContext, _ store: any VolunteerRecords) throws -> DomainDecision {
        func refuse(_ code: String, _ detail: String) -> DomainDecision {
            .rejected(reasonCode: code, detail: detail, notices: [VolunteerNotices.recordRejected(
                organizationID: submission.organizationID, recordID: submission.recordID, volunteerID: submission.volunteerID, reasonCode: code)])
        }
        guard try store.isRegistered(submission.volunteerID) else {
            return refuse("UNKNOWN_VOLUNTEER", "volunteer \(submission.volunteerID) is not registered")
        }
        // The contract checks DUPLICATE_RECORD before the period rules. The common case passes them all, and
        // then the insert itself finds a taken record id; only a record failing one looks the id up first.
        func duplicate() throws -> DomainDecision? {
            try store.record(submission.recordID) == nil ? nil : refuse("DUPLICATE_RECORD", "record \(submission.recordID) already exists")
        }
        if let problem = ServicePeriod.problem(startedAt: submission.startedAt, endedAt: submission.endedAt) {
            return try duplicate() ?? refuse("INVALID_PERIOD", problem)
        }
        if submission.endedAt > context.time {
            return try duplicate() ?? refuse("FUTURE_SERVICE", "ended_at \(submission.endedAt.text) is after the event time \(context.time.text)")
        }
        if try store.hasOverlap(volunteerID: submission.volunteerID, start: submission.startedAt.epochMicroseconds, end: submission.endedAt.epochMicroseconds) {
            return try duplicate() ?? refuse("OVERLAP", "the period overlaps a pending or approved record of the volunteer")
        }
        let minutes = ServicePeriod.minutes(startedAt: submission.startedAt, endedAt: submission.endedAt)
        let late = LateRecord.isLate(serviceDate: ShanghaiTime.date(of: submission.endedAt), eventDate: context.date,
                                     limit: settings.lateRecordWorkingDays)
        let serviceDate = ShanghaiTime.date(of: submission.startedAt)
        guard let number = try store.insertRecord(submission, serviceDate: serviceDate, minutes: minutes, late: late) else {
            return refuse("DUPLICATE_RECORD", "record \(submission.recordID) already exists")
        }
        try store.appendHistory(recordNumber: number, state: .pending, seq: 0, context: context)
        return .applied([VolunteerNotices.pending(
            volunteerID: submission.volunteerID, recordID: submission.recordID, activityName: submission.activityName,
            serviceDate: serviceDate, minutes: minutes, late: late)])
    }

    func approve(recordID: String, volunteerID: String, approverID: String, minutes requested: Int64?, _ context: EventContext,
                 _ store: any VolunteerRecords) throws -> DomainDecision {
        guard let record = try store.record(recordID), record.volunteerID == volunteerID else {
            return reject("UNKNOWN_RECORD", "no record \(recordID) for volunteer \(volunteerID)")
        }
        guard RecordStateMachine.allows(.approve, from: record.state) else {
            return reject("ILLEGAL_TRANSITION", "record \(recordID) is \(record.state.rawValue), not PENDING")
        }
        guard approverID != volunteerID else { return reject("SELF_APPROVAL", "a volunteer cannot approve their own record") }
        let minutes = requested ?? record.periodMinutes
        guard minutes >= 1 && minutes <= record.periodMinutes else {
            return reject("MINUTES_OUT_OF_RANGE", "approved_minutes \(minutes) is not within 1…\(record.periodMinutes)")
        }
        guard let volunteer = try store.volunteer(volunteerID) else { return reject("UNKNOWN_RECORD", "volunteer \(volunteerID) is unknown") }
        try store.setState(of: record, to: RecordStateMachine.target(of: .approve, approvedMinutes: minutes), approvedMinutes: minutes, historySeq: 1, context: context)
        try store.appendLedger(volunteerID: volunteerID, recordID: recordID, kind: .credit, minutes: minutes, context: context)
        let total = volunteer.totalMinutes + minutes
        let level = StarLevel.level(totalMinutes: total, thresholdsHours: settings.starThresholdsHours)
        try store.setTotals(volunteerID: volunteerID, totalMinutes: total, starLevel: level)
        var notices = [VolunteerNotices.credited(volunteerID: volunteerID, recordID: recordID, minutes: minutes, totalMinutes: total)]
        if level > volunteer.starLevel { notices.append(VolunteerNotices.starReached(volunteerID: volunteerID, level: level, totalMinutes: total)) }
        return .applied(notices)
    }

    func decline(recordID: String, volunteerID: String, approverID: String, reason: String, _ context: EventContext,
                 _ store: any VolunteerRecords) throws -> DomainDecision {
        guard let record = try store.record(recordID), record.volunteerID == volunteerID else {
            return reject("UNKNOWN_RECORD", "no record \(recordID) for volunteer \(volunteerID)")
        }
        guard RecordStateMachine.allows(.decline, from: record.state) else {
            return reject("ILLEGAL_TRANSITION", "record \(recordID) is \(record.state.rawValue), not PENDING")
        }
        guard approverID != volunteerID else { return reject("SELF_APPROVAL", "a volunteer cannot decline their own record") }
        try store.setState(of: record, to: RecordStateMachine.target(of: .decline, approvedMinutes: 0), approvedMinutes: nil, historySeq: 1, context: context)
        return .applied([VolunteerNotices.declined(volunteerID: volunteerID, recordID: recordID, reason: reason)])
    }

    func correct(_ correction: VolunteerEvent.Correction, _ context: EventContext, _ store: any VolunteerRecords) throws -> DomainDecision {
        guard let record = try store.record(correction.recordID), record.volunteerID == correction.volunteerID else {
            return reject("UNKNOWN_RECORD", "no record \(correction.recordID) for volunteer \(correction.volunteerID)")
        }
        guard RecordStateMachine.allows(.correct, from: record.state) else {
            return reject("ILLEGAL_TRANSITION", "record \(correction.recordID) is \(record.state.rawValue), not APPROVED")
        }
        if try store.correctionExists(correction.correctionID) {
            return reject("DUPLICATE_CORRECTION", "correction \(correction.correctionID) already exists")
        }
        guard (0...record.periodMinutes).contains(correction.approvedMinutes) else {
            return reject("MINUTES_OUT_OF_RANGE", "approved_minutes \(correction.approvedMinutes) is not within 0…\(record.periodMinutes)")
        }
        guard let volunteer = try store.volunteer(correction.volunteerID) else {
            return reject("UNKNOWN_RECORD", "volunteer \(correction.volunteerID) is unknown")
        }
        let previous = record.approvedMinutes ?? 0
        try store.insertCorrection(correction, previousMinutes: previous, context: context)
        try store.appendLedger(volunteerID: correction.volunteerID, recordID: correction.recordID, kind: .correction,
                               minutes: correction.approvedMinutes - previous, context: context)
        try store.setState(of: record, to: RecordStateMachine.target(of: .correct, approvedMinutes: correction.approvedMinutes),
                           approvedMinutes: correction.approvedMinutes, historySeq: nil, context: context)
        let total = volunteer.totalMinutes + correction.approvedMinutes - previous
        let level = StarLevel.level(totalMinutes: total, thresholdsHours: settings.starThresholdsHours)
        try store.setTotals(volunteerID: correction.volunteerID, totalMinutes: total, starLevel: level)
        var notices = [VolunteerNotices.corrected(volunteerID: correction.volunteerID, recordID: correction.recordID,
                                                  previousMinutes: previous, minutes: correction.approvedMinutes, totalMinutes: total)]
        if level < volunteer.starLevel {
            notices.append(VolunteerNotices.starLowered(volunteerID: correction.volunteerID, level: level, totalMinutes: total))
        } else if level > volunteer.starLevel {
            notices.append(VolunteerNotices.starReached(volunteerID: correction.volunteerID, level: level, totalMinutes: total))
        }
        return .applied(notices)
    }

    func issueCertificate(_ request: VolunteerEvent.CertificateRequest, _ context: EventContext, _ store: any VolunteerRecords) throws -> DomainDecision {
        guard try store.volunteer(request.volunteerID) != nil else {
            return reject("UNKNOWN_VOLUNTEER", "volunteer \(request.volunteerID) is not registered")
        }
        if try store.certificateExists(request.certificateID) {
            return reject("DUPLICATE_CERTIFICATE", "certificate \(request.certificateID) already exists")
        }
        guard request.from <= request.to else { return reject("INVALID_PERIOD", "from \(request.from) is after to \(request.to)") }
        let summary = try store.approvedSummary(volunteerID: request.volunteerID, from: request.from, to: request.to)
        let code = ReadableCode.make(secret: settings.certificateSecret, parts: [
            request.certificateID, request.volunteerID, request.from.description, request.to.description,
        ])
        try store.insertCertificate(request, minutes: summary.minutes, count: summary.count, organizations: summary.organizations,
                                    verifyCode: code, context: context)
        return .applied([VolunteerNotices.certificateIssued(
            volunteerID: request.volunteerID, certificateID: request.certificateID, totalMinutes: summary.minutes,
            recordCount: summary.count, verifyCode: code)])
    }

    private func reject(_ code: String, _ detail: String) -> DomainDecision {
        .rejected(reasonCode: code, detail: detail, notices: [])
    }
}
