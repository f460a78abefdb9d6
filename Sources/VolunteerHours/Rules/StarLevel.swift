/// Star levels by cumulative approved hours (Sichuan rules): the level is the number of thresholds at or
/// below the total; it can fall after a correction.
public enum StarLevel {
    public static func level(totalMinutes: Int64, thresholdsHours: [Int]) -> Int {
        thresholdsHours.filter { Int64($0) * 60 <= totalMinutes }.count
    }
}
