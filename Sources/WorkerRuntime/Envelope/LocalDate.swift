import Foundation

/// A calendar date with no time zone (`YYYY-MM-DD`): service dates, birth dates, plan-year dates.
public struct LocalDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// A date from its parts, or nil when it does not exist (e.g. 2025-02-29).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1, day <= LocalDate.daysIn(month: month, year: year) else {
            return nil
        }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01.
    public init(daysSinceEpoch days: Int) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Parses exactly `YYYY-MM-DD` naming a real date.
    public init?(iso text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count == 10, utf8[4] == 45, utf8[7] == 45 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(utf8[index]) - 48
                guard (0...9).contains(digit) else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int { LocalDate.daysFromCivil(year: year, month: month, day: day) }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        let weekday = (daysSinceEpoch + 3) % 7  // 1970-01-01 was a Thursday (3 in 0 = Monday)
        return (weekday < 0 ? weekday + 7 : weekday) + 1
    }

    public var isWeekday: Bool { isoWeekday <= 5 }

    public func adding(days: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + days) }

    /// Days from `self` to `other` (positive when `other` is later).
    public func days(until other: LocalDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// Full years from this date (a birth date) to `date`; a 29 February anniversary falls on 28 February.
    public func fullYears(until date: LocalDate) -> Int {
        var years = date.year - year
        let anniversaryDay = (month == 2 && day == 29 && !LocalDate.isLeap(date.year)) ? 28 : day
        if (date.month, date.day) < (month, anniversaryDay) { years -= 1 }
        return years
    }

    /// The same month and day `years` later (29 February becomes 28 February in a common year).
    public func adding(years: Int) -> LocalDate {
        let targetYear = year + years
        let targetDay = min(day, LocalDate.daysIn(month: month, year: targetYear))
        return LocalDate(year: targetYear, month: month, day: targetDay) ?? self
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool { (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day) }

    public var description: String {
        let y = String(year)
        let m = month < 10 ? "0\(month)" : String(month)
        let d = day < 10 ? "0\(day)" : String(day)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m + "-" + d
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// The city's time zone, Asia/Shanghai: every calendar date a person sees is a date there.
public enum ShanghaiTime {
    private static let zone = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!
    /// From 1991-09-15 (the end of the last daylight-saving period) Shanghai is always UTC+8.
    private static let fixedOffsetSince: Int64 = 684_867_600

    /// The UTC offset of Asia/Shanghai at an instant, in seconds.
    public static func utcOffsetSeconds(atEpochSeconds seconds: Int64) -> Int {
        if seconds >= fixedOffsetSince { return 8 * 3600 }
        return zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    /// The Asia/Shanghai calendar date of an instant.
    public static func date(of instant: Instant) -> LocalDate {
        let seconds = instant.epochSeconds
        let local = seconds + Int64(utcOffsetSeconds(atEpochSeconds: seconds))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        return LocalDate(daysSinceEpoch: Int(days))
    }
}
