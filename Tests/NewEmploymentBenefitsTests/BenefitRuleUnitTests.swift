import NewEmploymentBenefits
import Testing

/// The benefits rules on their own, with no store: the order of eligibility decisions and the
/// application lifecycle's table.
@Suite("new-employment rules without a store")
struct BenefitRuleUnitTests {
    let benefit = BenefitCatalogue.Benefit(code: "ACCIDENT_INSURANCE", yearlyLimit: 1, yearlyQuota: 2, minActiveDays: 20,
                                           occupations: ["delivery_rider", "courier"], voucherValidDays: 30)

    @Test("denials come first (occupation, activity, yearly limit), then the quota's waiting list, then a grant")
    func eligibilityOrder() {
        #expect(Eligibility.decide(occupation: "driver", benefit: benefit, activeDays: 0, usedThisYear: 5, seatsTaken: 9) == .denied(reasonCode: "OCCUPATION_NOT_ELIGIBLE"))
        #expect(Eligibility.decide(occupation: "courier", benefit: benefit, activeDays: 19, usedThisYear: 5, seatsTaken: 9) == .denied(reasonCode: "INSUFFICIENT_ACTIVITY"))
        #expect(Eligibility.decide(occupation: "courier", benefit: benefit, activeDays: 20, usedThisYear: 1, seatsTaken: 9) == .denied(reasonCode: "YEARLY_LIMIT_REACHED"))
        #expect(Eligibility.decide(occupation: "courier", benefit: benefit, activeDays: 20, usedThisYear: 0, seatsTaken: 2) == .waitlisted)
        #expect(Eligibility.decide(occupation: "courier", benefit: benefit, activeDays: 20, usedThisYear: 0, seatsTaken: 1) == .granted)
    }

    @Test("a voucher is redeemed only when GRANTED; cancelling needs GRANTED or WAITLISTED; promotion only from WAITLISTED")
    func applicationTransitions() {
        for state in ApplicationStateMachine.State.allCases {
            #expect(ApplicationStateMachine.allows(.redeem, from: state) == (state == .granted))
            #expect(ApplicationStateMachine.allows(.cancel, from: state) == (state == .granted || state == .waitlisted))
            #expect(ApplicationStateMachine.allows(.promote, from: state) == (state == .waitlisted))
        }
        #expect(ApplicationStateMachine.target[.redeem] == .redeemed)
        #expect(ApplicationStateMachine.target[.cancel] == .cancelled)
        #expect(ApplicationStateMachine.target[.promote] == .granted)
    }
}
