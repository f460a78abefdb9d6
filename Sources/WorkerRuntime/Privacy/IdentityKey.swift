import Crypto
import Foundation

/// The secret that identity numbers are hashed with before a store keeps them (`store.identity_key`): a
/// keyed hash (HMAC-SHA-256 over the number's SHA-256) lets a rule recognise a number seen before
/// (`DUPLICATE_IDENTITY`) while a copy of the store reveals nothing without the key. Hashing the SHA-256
/// rather than the number lets a store written with unkeyed SHA-256 digests be upgraded in place.
public struct IdentityKey: Sendable {
    /// The shortest key accepted, in bytes.
    public static let minimumBytes = 32
    /// The key's bytes (a `SymmetricKey` is made for each use: it is not `Sendable`).
    private let bytes: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: bytes) }

    /// A key from its text (the configuration or its environment variable); nil when it is too short.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= Self.minimumBytes else { return nil }
        self.bytes = bytes
    }

    /// The key tests and benchmarks use when they build a processor in code; a worker process always
    /// reads its own from `store.identity_key` and refuses to start without one.
    public static let forTests = IdentityKey("welfare-workers-tests-only-identity-key-0000") ?? IdentityKey(unchecked: Array(repeating: 7, count: 32))

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// What a store keeps of an identity number.
    public func hash(ofIdentityNumber number: String) -> [UInt8] {
        rekey(unkeyedDigest: Array(SHA256.hash(data: Array(number.utf8))))
    }

    /// The keyed hash of a digest an older store kept (SHA-256 of the number).
    public func rekey(unkeyedDigest digest: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: digest, using: key))
    }

    /// Names the key without revealing it, so that a store can refuse another key.
    public var fingerprint: [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Array("welfare-workers identity key fingerprint v1".utf8), using: key))
    }
}
