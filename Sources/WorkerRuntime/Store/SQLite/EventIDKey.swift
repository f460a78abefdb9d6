/// The 64-bit key event rows are found by (FNV-1a of the id's UTF-8 bytes). An index of these keys has a
/// third of the pages of one of the ids themselves (UUID text, mostly), so more of it stays in the page
/// cache and a batch dirties fewer of its pages; rows whose keys collide are told apart by their ids.
/// Stored: it must never change.
public enum EventIDKey {
    public static func of(_ eventID: String) -> Int64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in eventID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return Int64(bitPattern: hash)
    }
}
