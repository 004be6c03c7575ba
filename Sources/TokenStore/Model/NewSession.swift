/// Everything a store needs to record a login: who, from where, for how long, under which policy.
public struct NewSession: Hashable, Sendable {
    /// The user logging in.
    public var userID: String
    /// The device the login comes from.
    public var device: DeviceInfo
    /// How long the session and its refresh tokens live.
    public var lifetime: SessionLifetime
    /// The user's session limit, applied atomically with the creation.
    public var policy: SessionPolicy
    /// Application data kept with the session for as long as it lives and handed back by every rotation
    /// (``RefreshGrant/claims``): an issuer keeps the claims given at login here as one JSON object's text, so that
    /// every access token minted by a refresh carries them. Empty for none; at most
    /// 4096 UTF-8 bytes. The store keeps it as it is, without reading it.
    public var claims: String

    /// Creates a login request.
    public init(
        userID: String,
        device: DeviceInfo = DeviceInfo(),
        lifetime: SessionLifetime = SessionLifetime(),
        policy: SessionPolicy = .default,
        claims: String = ""
    ) {
        self.userID = userID
        self.device = device
        self.lifetime = lifetime
        self.policy = policy
        self.claims = claims
    }

    /// Throws when the user id, lifetime, policy or claims would be refused by a store.
    public func validate() throws(TokenStoreError) {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionClaims(claims)
        try lifetime.validate()
        try policy.validate()
    }
}
