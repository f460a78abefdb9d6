import Crypto

/// Certificate verify codes: 12 characters of an unambiguous alphabet, an HMAC-SHA-256 of the certificate's
/// identity under the configured secret, so nobody can derive one from the request, yet every replay
/// gives the same code.
public enum VerifyCode {
    /// No 0/O, 1/I/L: easy to read out and type.
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTUVWXYZ".utf8)

    public static func make(secret: String, parts: [String]) -> String {
        let key = SymmetricKey(data: Array(secret.utf8))
        var message: [UInt8] = []
        for part in parts {
            message += Array(part.utf8)
            message.append(0x1F)
        }
        let mac = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
        // 12 characters from the first 12 bytes (31 symbols; the tiny modulo bias is irrelevant here).
        return String(decoding: mac.prefix(12).map { alphabet[Int($0) % alphabet.count] }, as: UTF8.self)
    }
}
