/// What a login or a refresh hands to the client: an access token, a refresh token, and their lifetimes.
public struct TokenPair: Sendable {
    /// The JWT to send as `Authorization: Bearer …`.
    public let accessToken: String
    /// The opaque refresh token; single use: every refresh returns the next one.
    public let refreshToken: String
    /// Always `Bearer`.
    public let tokenType: String
    /// When the access token expires.
    public let accessTokenExpiresAt: UnixTime
    /// How long the access token lives from issue (OAuth's `expires_in`).
    public let expiresIn: Duration
    /// The session (device login) both tokens belong to.
    public let session: Session
    /// Sessions of the same user that this login ended under the session policy.
    public let endedSessionIDs: [String]
}
