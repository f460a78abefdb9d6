/// The contract's format rules for identifiers and personal data.
public enum FieldFormats {
    /// `*_id` fields: 1–64 characters from `[A-Za-z0-9._:-]`.
    public static func isIdentifier(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard (1...64).contains(utf8.count) else { return false }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }

    /// A mobile number: 11 digits starting with 1.
    public static func isMobileNumber(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        return utf8.count == 11 && utf8[0] == UInt8(ascii: "1") && utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// An 18-character PRC resident identity number: 17 digits and a check character (ISO 7064
    /// MOD 11-2, `X` for 10), with a real birth date at characters 7–14. Returns the birth date.
    public static func residentIdentityBirthDate(_ text: String) -> LocalDate? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 18, let check = residentIdentityCheckCharacter(String(decoding: utf8.prefix(17), as: UTF8.self)),
              utf8[17] == check.asciiValue else { return nil }
        func number(_ range: Range<Int>) -> Int {
            range.reduce(0) { $0 * 10 + Int(utf8[$1]) - 48 }
        }
        return LocalDate(year: number(6..<10), month: number(10..<12), day: number(12..<14))
    }

    /// The ISO 7064 MOD 11-2 check character for the first 17 digits of an identity number.
    public static func residentIdentityCheckCharacter(_ body: String) -> Character? {
        let digits = Array(body.utf8)
        guard digits.count == 17 else { return nil }
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        var sum = 0
        for (digit, weight) in zip(digits, weights) {
            guard digit >= 48 && digit <= 57 else { return nil }
            sum += Int(digit - 48) * weight
        }
        return Array("10X98765432")[sum % 11]
    }

    /// Masks an identity number for display: first 3 and last 2 characters kept.
    public static func maskIdentityNumber(_ text: String) -> String {
        let characters = Array(text)
        guard characters.count > 5 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(3)) + String(repeating: "*", count: characters.count - 5) + String(characters.suffix(2))
    }

    /// Masks a phone number for display: first 3 and last 4 digits kept.
    public static func maskPhone(_ text: String) -> String {
        let characters = Array(text)
        guard characters.count > 7 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(3)) + String(repeating: "*", count: characters.count - 7) + String(characters.suffix(4))
    }

    /// Masks a person's name: first and last character kept, the rest `*`; two-character names keep the
    /// first, one-character names are shown whole.
    public static func maskName(_ name: String) -> String {
        let characters = Array(name)
        switch characters.count {
        case 0, 1: return name
        case 2: return String(characters[0]) + "*"
        default: return String(characters[0]) + String(repeating: "*", count: characters.count - 2) + String(characters[characters.count - 1])
        }
    }
}
