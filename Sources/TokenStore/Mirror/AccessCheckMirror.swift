package import AuthKitClock

/// A local mirror of a store's revocation state that answers the access check without a round trip, or refers it
/// to the store (``RevocationMirrorState/Verdict``).
package protocol AccessCheckMirror: AnyObject, Sendable {
    /// The verdict on `check`, a token expiring at `expiresAt`, at `now`: the verifier's reading of the clock the
    /// mirror shares, taken when it checked the token's time claims.
    func verdict(for check: AccessCheck, expiresAt: UnixTime, at now: UnixTime) -> RevocationMirrorState.Verdict
    /// Tails the feed until cancelled.
    func run() async throws
}
