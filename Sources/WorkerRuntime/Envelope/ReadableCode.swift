import Crypto

/// Codes a person reads out (certificate verify codes, benefit vouchers): 12 characters of an unambiguous
/// alphabet from an HMAC-SHA-256 under a configured secret, so nobody can derive one from the event,
/// yet every replay gives the same code.
public enum ReadableCode {
    /// No 0/O, 1/I/L: easy to read out and type.
    public static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ".utf8)

    public static func make(secret: String, parts: [String]) -> String {
        let key = SymmetricKey(data: Array(secret.utf8))
        var message: [UInt8] = []
        for part in parts {
            message += Array(part.utf8)
            message.append(0x1F)
        }
        let mac = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        // 12 characters from the first 12 bytes (31 symbols; the small modulo bias does not matter here).
        return String(decoding: mac.prefix(12).map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
    }

    /// The SHA-256 of a code, for looking it up without keeping the code itself.
    public static func hash(_ code: String) -> [UInt8] { Array(SHA256.hash(data: Array(code.utf8))) }
}
