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

    /// Creates a login request.
    public init(
        userID: String,
        device: DeviceInfo = DeviceInfo(),
        lifetime: SessionLifetime = SessionLifetime(),
        policy: SessionPolicy = .default
    ) {
        self.userID = userID
        self.device = device
        self.lifetime = lifetime
        self.policy = policy
    }

    /// Throws when the user id, lifetime or policy would be refused by a store.
    public func validate() throws(TokenStoreError) {
        try TokenStoreLimits.checkUserID(userID)
        try lifetime.validate()
        try policy.validate()
    }
}
