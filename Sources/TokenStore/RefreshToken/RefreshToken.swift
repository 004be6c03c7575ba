import JWTCore

// Format: `akr1.<base64url(user id)>.<session id>.<base64url(32 random bytes)>`.
//
// The user id and session id travel in the token so that a store can find the family from the token alone:
// a Redis store must name the user's hash-tagged keys (`authkit:{u:<uid>}:family:<sid>`) before its script
// runs, and a global "token → user" index would cost a second round trip and a cross-slot key. This reveals
// nothing new: the same client holds access tokens whose `sub` and `sid` claims say the same. The secret is
// 256 bits from the system CSPRNG; stores keep only the SHA-256 of the whole text, which also binds the
// routing parts, so editing the user or session part of a real token yields a token no family issued.
// The `akr1.` prefix makes leaked tokens easy for secret scanners to spot and leaves room for a new format.

/// An opaque refresh token: the value handed to the client once, and the routing parts a store reads from it.
///
/// Stores never keep ``text``; they keep `digest`. The description never prints the secret.
public struct RefreshToken: Sendable, CustomStringConvertible {
    /// The token as the client presents it.
    public let text: String
    /// The user whose family issued the token.
    public let userID: String
    /// The session (and refresh-token family) the token belongs to.
    public let sessionID: String

    private static let prefix = "akr1"
    private static let secretBytes = 32
    private static let sessionIDBytes = 16

    private init(text: String, userID: String, sessionID: String) {
        self.text = text
        self.userID = userID
        self.sessionID = sessionID
    }

    /// A new token for the family `sessionID` of `userID`, with a fresh 256-bit secret.
    @_spi(TokenStoreImplementation) public static func issue(userID: String, sessionID: String) -> RefreshToken {
        let secret = Base64URL.encode(SecureRandom.bytes(secretBytes))
        let text = "\(prefix).\(Base64URL.encode(userID.utf8)).\(sessionID).\(secret)"
        return RefreshToken(text: text, userID: userID, sessionID: sessionID)
    }

    /// Reads the routing parts of a presented token, or returns nil when it is not a well-formed token.
    ///
    /// Well-formed says nothing about validity: only a store that finds `digest` in the family can say that.
    public init?(parsing text: String) {
        guard text.utf8.count <= TokenStoreLimits.maxRefreshTokenBytes else {
            return nil
        }
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4, String(decoding: parts[0], as: UTF8.self) == Self.prefix else {
            return nil
        }
        let userPart = String(decoding: parts[1], as: UTF8.self)
        let sessionPart = String(decoding: parts[2], as: UTF8.self)
        let secretPart = String(decoding: parts[3], as: UTF8.self)
        guard let userBytes = Base64URL.decode(userPart),
            let userID = String(validating: userBytes, as: UTF8.self),
            (try? TokenStoreLimits.checkUserID(userID)) != nil,
            Base64URL.decode(sessionPart)?.count == Self.sessionIDBytes,
            Base64URL.decode(secretPart)?.count == Self.secretBytes
        else {
            return nil
        }
        self.init(text: text, userID: userID, sessionID: sessionPart)
    }

    /// The SHA-256 of the token text: the only form in which a store keeps a refresh token.
    @_spi(TokenStoreImplementation) public var digest: [UInt8] {
        SHA256Digest.hash(text.utf8)
    }

    /// Whether two digests are equal, compared in time independent of where they differ.
    @_spi(TokenStoreImplementation) public static func digestsEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        ConstantTime.equals(lhs, rhs)
    }

    /// The text shown when the value is printed or logged.
    public var description: String {
        "RefreshToken(session: \(sessionID), secret: redacted)"
    }
}
