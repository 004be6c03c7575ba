/// The issuer's signing keys at one moment of a rotation: the key that signs, the key that will sign next, and
/// the keys on their way out.
///
/// Every key of the ring verifies, and every asymmetric one is published in ``AuthKit/publicJWKS()``. The next
/// key is published before it signs anything, so that the services verifying tokens (each with a cached copy of
/// the JWKS) know it by the time its first token reaches them. A rotation is three edits of the ring:
/// add the new key as ``next``; once it has been published for a while (at least the JWKS max-age), make it
/// ``current`` and list the old one as retiring, with ``RetiringKey/notAfter`` at least one access-token lifetime
/// ahead; once that instant has passed, remove it.
public struct SigningKeyRing: Sendable {
    /// A key that no longer signs and is still accepted for the tokens it signed.
    public struct RetiringKey: Sendable {
        /// The key (its public half is enough).
        public var key: JWTKey
        /// From this instant on, tokens signed by the key are refused and it is no longer published; nil keeps it
        /// until it is removed from the ring.
        public var notAfter: UnixTime?

        /// Creates a retiring key.
        public init(_ key: JWTKey, notAfter: UnixTime?) {
            self.key = key
            self.notAfter = notAfter
        }
    }

    /// The key that signs new access tokens; it must be able to sign.
    public var current: JWTKey
    /// The key that signs after the next rotation: published and accepted now, signing nothing yet.
    public var next: JWTKey?
    /// Keys that signed before, accepted until their not-after instant.
    public var retiring: [RetiringKey]

    /// Creates a ring. With several keys, each needs a distinct `kid`.
    public init(current: JWTKey, next: JWTKey? = nil, retiring: [RetiringKey] = []) {
        self.current = current
        self.next = next
        self.retiring = retiring
    }
}
