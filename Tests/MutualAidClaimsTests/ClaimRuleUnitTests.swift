import MutualAidClaims
import Testing

/// The mutual-aid rules on their own, with no store: caps in their order and the claim lifecycle's table.
@Suite("mutual-aid rules without a store")
struct ClaimRuleUnitTests {
    @Test("caps lower the benefit in turn (claim, year, lifetime) and capped_by names the last that lowered it")
    func capsInOrder() {
        let caps = PlanSettings.Caps(claim: 500_000, year: 1_000_000, lifetime: 2_000_000)
        #expect(CapCalculator.payable(benefit: 300_000, caps: caps, usedThisYear: 0, usedLifetime: 0) == .init(payable: 300_000, cappedBy: nil))
        #expect(CapCalculator.payable(benefit: 900_000, caps: caps, usedThisYear: 0, usedLifetime: 0) == .init(payable: 500_000, cappedBy: "claim"))
        #expect(CapCalculator.payable(benefit: 900_000, caps: caps, usedThisYear: 800_000, usedLifetime: 800_000) == .init(payable: 200_000, cappedBy: "year"))
        #expect(CapCalculator.payable(benefit: 900_000, caps: caps, usedThisYear: 0, usedLifetime: 1_900_000) == .init(payable: 100_000, cappedBy: "lifetime"))
        #expect(CapCalculator.payable(benefit: 900_000, caps: caps, usedThisYear: 1_200_000, usedLifetime: 1_200_000) == .init(payable: 0, cappedBy: "year"))
    }

    @Test("a cap is exhausted only when it has no room left")
    func exhaustion() {
        let caps = PlanSettings.Caps(year: 1_000_000, lifetime: 2_000_000)
        #expect(!CapCalculator.exhausted(caps: caps, usedThisYear: 999_999, usedLifetime: 0))
        #expect(CapCalculator.exhausted(caps: caps, usedThisYear: 1_000_000, usedLifetime: 0))
        #expect(CapCalculator.exhausted(caps: caps, usedThisYear: 0, usedLifetime: 2_000_000))
        #expect(!CapCalculator.exhausted(caps: PlanSettings.Caps(claim: 1), usedThisYear: 10_000_000, usedLifetime: 10_000_000))
    }

    @Test("the claim table: payment from APPROVED or PAYMENT_FAILED only, withdrawal before a decision only, nothing leaves PAID")
    func claimTransitions() {
        #expect(ClaimStateMachine.allows(.pay, from: .approved))
        #expect(ClaimStateMachine.allows(.pay, from: .paymentFailed))
        #expect(!ClaimStateMachine.allows(.pay, from: .underReview))
        #expect(ClaimStateMachine.allows(.withdraw, from: .documentsRequested))
        #expect(!ClaimStateMachine.allows(.withdraw, from: .approved))
        for action in [ClaimStateMachine.Action.addDocuments, .review, .pay, .failPayment, .withdraw] {
            #expect(!ClaimStateMachine.allows(action, from: .paid))
            #expect(!ClaimStateMachine.allows(action, from: .withdrawn))
        }
    }
}
