/// How a local revocation mirror answers the access check from memory, and when it must not.
///
/// With the mirror on, an instance tails the store's revocation feed (denylisted `jti`s, epochs, ended sessions) and
/// checks tokens against what it has read, without a round trip. It answers only while it can prove it has read every
/// revocation acknowledged more than ``stalenessBound`` ago; otherwise the check goes to the store as it would
/// without a mirror. The consistency model and its trade are in Documentation/RevocationMirror.md.
///
/// The mirror holds negative facts only, so it relies on what AuthKit's issuer guarantees of the tokens it mints
/// (`AuthKitConfiguration.validate()` enforces it when the mirror is on): a session-bound token never outlives its
/// session's absolute end, and its lifetime is at most the session's idle lifetime, so a session that is alive when a
/// token is minted outlives the token unless something ends it — and every such end is in the feed.
public struct RevocationMirrorPolicy: Hashable, Sendable {
    /// How old a revocation may be and still not be applied: past it, a token the mirror cannot prove is unaffected
    /// is checked by a round trip. One second by default.
    public var stalenessBound: Duration
    /// The longest access-token lifetime (`exp` − `iat`) the mirror answers for; tokens living longer are checked by
    /// a round trip. At most ``maxAccessTokenLifetimeLimit``. Fifteen minutes by default.
    public var maxAccessTokenLifetime: Duration
    /// The largest difference allowed between the clocks of the instances that mint tokens and of those that
    /// revoke them: a token issued up to this long after the feed began is checked by a round trip, since a
    /// revocation before the feed began is not in it. One second by default, at most ``marginLimit``.
    public var clockMargin: Duration
    /// How often the feed is polled; a poll that finds the feed up to date proves the mirror current as of when it
    /// was sent. A quarter of the staleness bound by default.
    public var pollInterval: Duration

    /// The longest access-token lifetime a mirror can answer for: the feed keeps entries this long (plus the
    /// revocation leeway and ``marginLimit``), whatever policy each mirror has.
    public static let maxAccessTokenLifetimeLimit: Duration = .seconds(24 * 3600)
    /// The largest ``clockMargin``.
    public static let marginLimit: Duration = .seconds(3600)
    /// How long the feed keeps an entry: long enough for every policy within the limits. Writers trim by it, so a
    /// mirror that was away for less than this resumes where it stopped.
    public static let feedRetention: Duration =
        maxAccessTokenLifetimeLimit + TokenStoreLimits.revocationLeeway + marginLimit * 2

    /// Creates a policy; ``validate()`` says whether it can work.
    public init(
        stalenessBound: Duration = .seconds(1),
        maxAccessTokenLifetime: Duration = .seconds(15 * 60),
        clockMargin: Duration = .seconds(1),
        pollInterval: Duration? = nil
    ) {
        self.stalenessBound = stalenessBound
        self.maxAccessTokenLifetime = maxAccessTokenLifetime
        self.clockMargin = clockMargin
        self.pollInterval = pollInterval ?? stalenessBound / 4
    }

    /// Throws ``TokenStoreError/Code-swift.struct/invalidConfiguration`` for a bound, lifetime, margin or interval
    /// that is not positive, a lifetime or margin over its limit, or a poll interval not under the bound.
    public func validate() throws(TokenStoreError) {
        try TokenStoreLimits.checkDuration(stalenessBound, name: "the mirror's staleness bound")
        try TokenStoreLimits.checkDuration(maxAccessTokenLifetime, name: "the mirror's access-token lifetime")
        try TokenStoreLimits.checkDuration(pollInterval, name: "the mirror's poll interval")
        guard clockMargin >= .zero, clockMargin <= Self.marginLimit else {
            throw TokenStoreError(.invalidConfiguration, "the mirror's clock margin must be between 0 and 1 h")
        }
        guard maxAccessTokenLifetime <= Self.maxAccessTokenLifetimeLimit else {
            throw TokenStoreError(.invalidConfiguration, "the mirror answers for access-token lifetimes up to 24 h")
        }
        guard pollInterval < stalenessBound else {
            throw TokenStoreError(.invalidConfiguration, "the mirror's poll interval must be under its staleness bound")
        }
    }

    /// How long an ended session is remembered: until no token of it can still be accepted (its longest lifetime
    /// plus the largest leeway), plus the clock margin.
    var endedSessionRetention: Duration {
        maxAccessTokenLifetime + TokenStoreLimits.revocationLeeway + clockMargin
    }
}
