import Crypto

extension SHA256 {
    /// Adds `bytes` with its length in front (a null as one 0xFF byte), so that no two different lists of
    /// byte strings hash the same input.
    mutating func updateFramed(_ bytes: [UInt8]?) {
        guard let bytes else {
            update(data: [0xFF])
            return
        }
        let count = UInt32(truncatingIfNeeded: bytes.count)
        update(data: [0x00, UInt8(count >> 24), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)])
        update(data: bytes)
    }
}
