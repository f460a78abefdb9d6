import Testing
import VolunteerHours
import WorkerRuntime

/// The volunteer-hours rules on their own, with no store: star levels, service periods, late records and
/// the record lifecycle's transition table.
@Suite("volunteer-hours rules without a store")
struct VolunteerRuleUnitTests {
    @Test("the star level counts the thresholds at or below the total and falls when the total does")
    func starLevels() {
        let thresholds = [100, 300, 600, 1000, 1500]
        #expect(StarLevel.level(totalMinutes: 0, thresholdsHours: thresholds) == 0)
        #expect(StarLevel.level(totalMinutes: 100 * 60 - 1, thresholdsHours: thresholds) == 0)
        #expect(StarLevel.level(totalMinutes: 100 * 60, thresholdsHours: thresholds) == 1)
        #expect(StarLevel.level(totalMinutes: 1500 * 60, thresholdsHours: thresholds) == 5)
        #expect(StarLevel.level(totalMinutes: 299 * 60, thresholdsHours: thresholds) == 1)
    }

    @Test("a service period must end after it starts and last at most 24 hours; minutes are whole minutes of it")
    func servicePeriods() throws {
        let start = try #require(Instant(rfc3339: "2026-05-10T09:00:00+08:00"))
        let later = try #require(Instant(rfc3339: "2026-05-10T11:30:00+08:00"))
        let tooLong = try #require(Instant(rfc3339: "2026-05-11T09:00:01+08:00"))
        #expect(ServicePeriod.problem(startedAt: start, endedAt: later) == nil)
        #expect(ServicePeriod.minutes(startedAt: start, endedAt: later) == 150)
        #expect(ServicePeriod.problem(startedAt: later, endedAt: start) != nil)
        #expect(ServicePeriod.problem(startedAt: start, endedAt: start) != nil)
        #expect(ServicePeriod.problem(startedAt: start, endedAt: tooLong) != nil)
        #expect(ServicePeriod.overlaps((0, 10), (5, 15)))
        #expect(!ServicePeriod.overlaps((0, 10), (10, 20)))
    }

    @Test("a record is late past the limit in working days (weekends do not count)")
    func lateRecords() throws {
        let friday = try #require(LocalDate(year: 2026, month: 5, day: 8))
        let monday = try #require(LocalDate(year: 2026, month: 5, day: 11))
        #expect(LateRecord.workingDays(after: friday, through: monday) == 1)
        #expect(!LateRecord.isLate(serviceDate: friday, eventDate: monday, limit: 1))
        #expect(LateRecord.isLate(serviceDate: friday, eventDate: monday.adding(days: 1), limit: 1))
    }

    @Test("approve and decline start only from PENDING, a correction only from APPROVED; a correction to 0 voids")
    func recordTransitions() {
        for state in RecordStateMachine.State.allCases {
            #expect(RecordStateMachine.allows(.approve, from: state) == (state == .pending))
            #expect(RecordStateMachine.allows(.decline, from: state) == (state == .pending))
            #expect(RecordStateMachine.allows(.correct, from: state) == (state == .approved))
        }
        #expect(RecordStateMachine.target(of: .approve, approvedMinutes: 60) == .approved)
        #expect(RecordStateMachine.target(of: .decline, approvedMinutes: 0) == .declined)
        #expect(RecordStateMachine.target(of: .correct, approvedMinutes: 0) == .voided)
        #expect(RecordStateMachine.target(of: .correct, approvedMinutes: 30) == .approved)
    }
}

@Test("the record table as people read it: approve and decline from PENDING, correct from APPROVED")
func recordTableReadsAsDocumented() {
    #expect(RecordStateMachine.allowedFrom == [.approve: [.pending], .decline: [.pending], .correct: [.approved]])
}
