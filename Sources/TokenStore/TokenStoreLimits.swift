public import AuthKitClock
import JWTCore

/// The size limits and input checks every ``TokenStore`` implementation applies, so all behave the same.
@_spi(TokenStoreImplementation) public enum TokenStoreLimits {
    /// The longest user id accepted, in UTF-8 bytes.
    public static let maxUserIDBytes = 256
    /// The longest `jti` accepted, in UTF-8 bytes.
    public static let maxJTIBytes = 256
    /// The longest session id accepted, in UTF-8 bytes (generated ids are 22 characters).
    public static let maxSessionIDBytes = 64
    /// The longest refresh-token text parsed; anything longer is rejected before any work.
    public static let maxRefreshTokenBytes = 512
    /// Device name, IP and user agent are cut to this many UTF-8 bytes rather than failing a login.
    public static let maxDeviceFieldBytes = 512
    /// The most application data a session keeps (``NewSession/claims``), in UTF-8 bytes: enough for a few
    /// claims, small enough that every access token a refresh mints from them stays well under the verifiers'
    /// default token size cap (8 KiB) whatever the signature algorithm.
    public static let maxSessionClaimsBytes = 4096
    /// How many retired refresh-token digests a family remembers to recognise reuse of an older token.
    ///
    /// A presented token that matches none of the family's digests is answered ``RefreshOutcome/invalid``
    /// rather than reuse: without proof that the family issued it, anyone who knows a session id could
    /// otherwise end that session by presenting random bytes.
    public static let retiredDigestHistory = 16
    /// How long past its `exp` a denylisted access token stays refused: the largest leeway any verifier may allow
    /// (`JWTValidationPolicy.maxLeeway`), since a verifier accepts a token until `exp` plus its leeway.
    public static let revocationLeeway: Duration = JWTValidationPolicy.maxLeeway

    /// The instant until which an access token expiring at `expiresAt` stays on the denylist once revoked: its
    /// `exp` plus ``revocationLeeway``. Every store keeps its entry until then, and writes none past it.
    public static func revokedUntil(expiresAt: UnixTime) -> UnixTime {
        expiresAt + revocationLeeway
    }
    /// The most live sessions one user may hold, whatever the ``SessionPolicy``: a policy may lower it, never
    /// raise or remove it. It bounds the work of every store operation that walks a user's sessions.
    public static let maxSessionsPerUser = 100
    /// The longest grace period a ``SessionLifetime`` may give a retried refresh token.
    public static let maxReuseGracePeriod: Duration = .seconds(60)

    /// Throws ``TokenStoreError/Code-swift.struct/invalidArgument`` unless `userID` is a usable user id.
    @inline(__always)
    public static func checkUserID(_ userID: String) throws(TokenStoreError) {
        try checkField(userID, name: "user id", maxBytes: maxUserIDBytes)
    }

    /// Throws ``TokenStoreError/Code-swift.struct/invalidArgument`` unless `jti` is a usable token id.
    @inline(__always)
    public static func checkJTI(_ jti: String) throws(TokenStoreError) {
        try checkField(jti, name: "jti", maxBytes: maxJTIBytes)
    }

    /// Throws ``TokenStoreError/Code-swift.struct/invalidArgument`` unless `sessionID` is a usable session id.
    @inline(__always)
    public static func checkSessionID(_ sessionID: String) throws(TokenStoreError) {
        try checkField(sessionID, name: "session id", maxBytes: maxSessionIDBytes)
    }

    /// Throws ``TokenStoreError/Code-swift.struct/invalidArgument`` when `claims` is longer than
    /// ``maxSessionClaimsBytes``.
    public static func checkSessionClaims(_ claims: String) throws(TokenStoreError) {
        let size = claims.utf8.count
        guard size <= maxSessionClaimsBytes else {
            throw TokenStoreError(
                .invalidArgument,
                "the session's claims are \(size) bytes long; at most \(maxSessionClaimsBytes) are accepted"
            )
        }
    }

    /// Throws ``TokenStoreError/Code-swift.struct/invalidConfiguration`` unless `duration`, which a store turns into
    /// an expiry or a TTL, is at least one millisecond: the unit of Redis TTLs, below which a record would be
    /// written already expired (or deleted at once by a `PEXPIRE` of 0).
    public static func checkDuration(_ duration: Duration, name: String) throws(TokenStoreError) {
        guard duration >= .milliseconds(1) else {
            throw TokenStoreError(.invalidConfiguration, "\(name) must be at least 1 ms, got \(duration)")
        }
    }

    /// `value` cut to at most ``maxDeviceFieldBytes`` UTF-8 bytes on a character boundary.
    public static func truncatedDeviceField(_ value: String) -> String {
        guard value.utf8.count > maxDeviceFieldBytes else {
            return value
        }
        var result = ""
        var bytes = 0
        for character in value {
            let size = character.utf8.count
            if bytes + size > maxDeviceFieldBytes {
                break
            }
            result.append(character)
            bytes += size
        }
        return result
    }

    /// Inlined, as are the checks of ids above: ``AccessCheck/validate()``, which every authentication runs, then
    /// makes no call while its ids are good. The test is a length read and a comparison; the calls were most of its
    /// cost. The error is built out of line.
    @inline(__always)
    private static func checkField(_ value: String, name: String, maxBytes: Int) throws(TokenStoreError) {
        let size = value.utf8.count
        guard size > 0, size <= maxBytes else {
            throw fieldError(size: size, name: name, maxBytes: maxBytes)
        }
    }

    /// The error for a field of `size` bytes that ``checkField(_:name:maxBytes:)`` refused.
    @inline(never)
    private static func fieldError(size: Int, name: String, maxBytes: Int) -> TokenStoreError {
        guard size > 0 else {
            return TokenStoreError(.invalidArgument, "the \(name) is empty")
        }
        return TokenStoreError(.invalidArgument, "the \(name) is \(size) bytes long; at most \(maxBytes) are accepted")
    }
}
