/// What a successful login returns: the new session, its first refresh token, and any sessions it ended.
public struct SessionGrant: Sendable {
    /// The session just created.
    public var session: Session
    /// The first refresh token of the session's family; give it to the client, it is never stored.
    public var refreshToken: RefreshToken
    /// Sessions of the same user that this login ended because of the user's ``SessionPolicy``.
    public var endedSessionIDs: [String]

    /// Creates a grant.
    public init(session: Session, refreshToken: RefreshToken, endedSessionIDs: [String]) {
        self.session = session
        self.refreshToken = refreshToken
        self.endedSessionIDs = endedSessionIDs
    }
}
