import WorkerRuntime

/// The late-record rule: count the Mondays to Fridays after the service date up to and including the
/// event's date (public holidays are not considered); late when the count exceeds the limit.
public enum LateRecord {
    public static func workingDays(after serviceDate: LocalDate, through eventDate: LocalDate) -> Int {
        let days = serviceDate.days(until: eventDate)
        guard days > 0 else { return 0 }
        let fullWeeks = days / 7
        var count = fullWeeks * 5
        var day = serviceDate.adding(days: fullWeeks * 7)
        for _ in 0..<(days % 7) {
            day = day.adding(days: 1)
            if day.isWeekday { count += 1 }
        }
        return count
    }

    public static func isLate(serviceDate: LocalDate, eventDate: LocalDate, limit: Int) -> Bool {
        workingDays(after: serviceDate, through: eventDate) > limit
    }
}
