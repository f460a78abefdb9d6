import WorkerRuntime

/// Distinct, valid resident identity numbers for generated people: the n-th has a birth date n / 1000
/// days after 1960-01-01 and sequence n % 1000, so numbers never repeat below ten million people.
public enum SampleIdentity {
    public static func person(_ index: Int) -> (number: String, birthDate: LocalDate) {
        let birth = LocalDate(year: 1960, month: 1, day: 1)!.adding(days: index / 1000)
        let body = "510104" + birth.description.replacingOccurrences(of: "-", with: "") + String(format3: index % 1000)
        return (body + String(FieldFormats.residentIdentityCheckCharacter(body) ?? "X"), birth)
    }
}
