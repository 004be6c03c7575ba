package import AuthKitClock

/// A local mirror of a store's revocation state that answers the access check without a round trip, or refers it
/// to the store (``RevocationMirrorState/Verdict``).
package protocol AccessCheckMirror: Sendable {
    /// The verdict on `check`, a token expiring at `expiresAt`, now.
    func verdict(for check: AccessCheck, expiresAt: UnixTime) -> RevocationMirrorState.Verdict
    /// Tails the feed until cancelled.
    func run() async throws
}
