/// How long a session and its refresh-token family live, and how forgiving rotation is.
public struct SessionLifetime: Hashable, Sendable {
    /// The session ends this long after login, however often it is used; rotation never extends it.
    public var absolute: Duration
    /// The session ends when it has not been used (refreshed or touched) for this long.
    public var idle: Duration
    /// For this long after a rotation, presenting the token just replaced is treated as the client retrying
    /// a lost response and answered with a fresh token instead of as reuse. Zero (the default) disables it;
    /// at most 60 seconds.
    public var reuseGracePeriod: Duration

    /// Creates a lifetime; ``validate()`` says whether a store will accept it.
    public init(absolute: Duration = .seconds(7 * 86_400), idle: Duration? = nil, reuseGracePeriod: Duration = .zero) {
        self.absolute = absolute
        self.idle = idle ?? absolute
        self.reuseGracePeriod = reuseGracePeriod
    }

    /// Throws ``TokenStoreError/Code-swift.struct/invalidConfiguration`` when a duration is out of range.
    public func validate() throws(TokenStoreError) {
        try TokenStoreLimits.checkDuration(absolute, name: "the absolute session lifetime")
        try TokenStoreLimits.checkDuration(idle, name: "the idle session lifetime")
        guard absolute <= .seconds(3_650 * 86_400) else {
            throw TokenStoreError(.invalidConfiguration, "the absolute session lifetime is longer than ten years")
        }
        guard reuseGracePeriod >= .zero, reuseGracePeriod <= TokenStoreLimits.maxReuseGracePeriod else {
            throw TokenStoreError(.invalidConfiguration, "the reuse grace period must be between 0 and 60 seconds")
        }
    }
}
