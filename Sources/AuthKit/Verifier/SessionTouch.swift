/// Whether, and how, authenticating an access token marks its session as used, sliding the session's idle expiry.
///
/// - ``off`` (the default): authenticate only reads; a session slides only when its refresh token is rotated.
/// - ``everyRequest``: every accepted token's store check also touches its session, in the same store call (in
///   Redis the check script, one write per request). This is what `touchSessionOnAuthenticate` sets.
/// - ``coalesced(interval:maximumTrackedSessions:)``: authenticate does the read-only check (in Redis one `MGET`) and
///   hands the session to a background writer that touches it at most once per `interval`, off the request path,
///   inside the instance's `run()`.
///
/// A coalesced session is touched as soon as it is first used in an interval (so a session close to its idle end
/// slides as promptly as with ``everyRequest``, give or take the background write), and later uses within the
/// interval write nothing. A touch never brings back a session that has ended, and a touch that fails or is
/// dropped only means that the session slides later; which tokens are accepted does not depend on it.
public struct SessionTouch: Hashable, Sendable, CustomStringConvertible {
    enum Mode: Hashable {
        case off
        case everyRequest
        case coalesced(interval: Duration, maximumTrackedSessions: Int)
    }

    let mode: Mode

    /// The longest coalescing interval accepted: one hour.
    ///
    /// An interval must stay well under the idle lifetime of every session it keeps alive: at most half of it, so
    /// that a session in steady use survives one touch that failed or was dropped. An ``AuthKit`` issuer knows its
    /// sessions' idle lifetime and refuses a longer interval; a verify-only ``AuthKitVerifier`` cannot see it, and
    /// enforces only this maximum.
    public static let maximumInterval: Duration = .seconds(3600)

    /// How many sessions a coalescing writer tracks at most by default: 100,000.
    public static let defaultMaximumTrackedSessions = 100_000

    /// The largest ``coalesced(interval:maximumTrackedSessions:)`` bound accepted: 10,000,000.
    public static let maximumTrackedSessionsLimit = 10_000_000

    /// How long a shutdown waits at most for the pending touches to be written (plus one store call's deadline for
    /// the touches already under way): 5 seconds. Touches still pending then are counted as dropped.
    public static let flushTimeout: Duration = .seconds(5)

    /// Authentication never writes to a session (the default).
    public static let off = SessionTouch(mode: .off)

    /// Every authentication touches its session in the same store call: one store write per request.
    public static let everyRequest = SessionTouch(mode: .everyRequest)

    /// Authentication touches each session at most once per `interval`, in the background.
    ///
    /// - Parameters:
    ///   - interval: The shortest time between two touches of one session: more than zero, at most
    ///     ``maximumInterval``, and at most half the sessions' idle lifetime.
    ///   - maximumTrackedSessions: How many sessions, touched or waiting for their touch within their interval, the
    ///     writer remembers at most (default ``defaultMaximumTrackedSessions``): the bound of its memory. A session
    ///     first used while the writer is full is not touched for that use (counted as dropped); a use after the
    ///     oldest interval has passed schedules it.
    public static func coalesced(
        interval: Duration,
        maximumTrackedSessions: Int = defaultMaximumTrackedSessions
    ) -> SessionTouch {
        SessionTouch(mode: .coalesced(interval: interval, maximumTrackedSessions: maximumTrackedSessions))
    }

    /// The coalescing interval, or nil when sessions are not coalesced.
    public var interval: Duration? {
        guard case .coalesced(let interval, _) = mode else { return nil }
        return interval
    }

    /// Whether authentication touches sessions at all.
    public var touchesSessions: Bool {
        mode != .off
    }

    /// What setting a configuration's `touchSessionOnAuthenticate` to `touch` makes of this setting: ``off`` for
    /// false; for true, this setting when it already touches, else ``everyRequest``.
    func touchingOnAuthenticate(_ touch: Bool) -> SessionTouch {
        guard touch else { return .off }
        return touchesSessions ? self : .everyRequest
    }

    /// `off`, `everyRequest` or `coalesced(interval: …)`.
    public var description: String {
        switch mode {
        case .off: "off"
        case .everyRequest: "everyRequest"
        case .coalesced(let interval, let tracked):
            "coalesced(interval: \(interval), maximumTrackedSessions: \(tracked))"
        }
    }

    /// Throws ``AuthKitError/Code-swift.struct/invalidConfiguration`` for an interval out of range, or one longer
    /// than half of `idleLifetime` when it is known.
    func validate(idleLifetime: Duration?) throws(AuthKitError) {
        guard case .coalesced(let interval, let tracked) = mode else { return }
        guard interval > .zero, interval <= Self.maximumInterval else {
            throw AuthKitError(
                .invalidConfiguration,
                "the session touch interval must be more than zero and at most \(Self.maximumInterval)"
            )
        }
        if let idleLifetime, interval > idleLifetime / 2 {
            throw AuthKitError(
                .invalidConfiguration,
                "the session touch interval must be at most half the sessions' idle lifetime (\(idleLifetime))"
            )
        }
        guard tracked > 0, tracked <= Self.maximumTrackedSessionsLimit else {
            throw AuthKitError(
                .invalidConfiguration,
                "the sessions a touch writer tracks must be between 1 and \(Self.maximumTrackedSessionsLimit)"
            )
        }
    }
}
