/// Version-4-shaped UUID text from a seeded random stream, as upstream systems that make random ids send them:
/// the same seed gives the same ids.
public enum SampleUUID {
    public static func next(_ random: inout SeededRandom) -> String {
        let high = (random.next() & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000
        let low = (random.next() & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let digits = hex(high, 16) + hex(low, 16)
        var text = ""
        text.reserveCapacity(36)
        for (index, character) in digits.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append("-") }
            text.append(character)
        }
        return text
    }

    private static func hex(_ value: UInt64, _ width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
