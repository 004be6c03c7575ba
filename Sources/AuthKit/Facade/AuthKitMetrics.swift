import Metrics

/// The counters and timers AuthKit reports through swift-metrics, created once so the hot path only
/// increments them.
struct AuthKitMetrics: Sendable {
    /// Nil, like ``mirrorServed``, when no metrics backend is bootstrapped: these two are counted on every request a
    /// mirror answers, and a call into the no-op handler is a visible share of one.
    let authenticateAccepted: Counter?
    let authenticateRejected: Counter
    let authenticateRevoked: Counter
    let authenticateUnavailable: Counter
    let authenticateKeysUnavailable: Counter
    /// Nil when no metrics backend is bootstrapped: then nothing would keep the durations, and not timing saves
    /// two clock reads per request.
    let authenticateDuration: Metrics.Timer?
    let legacyAccepted: Counter
    let legacyRefused: Counter
    let logins: Counter
    let refreshes: Counter
    let refreshReuse: Counter
    let refreshRejected: Counter
    let rateLimited: Counter
    let mirrorServed: Counter?
    let mirrorReferred: [RevocationMirrorState.Referral: Counter]
    let sessionTouchesWritten: Counter
    let sessionTouchesEnded: Counter
    let sessionTouchesCoalesced: Counter
    let sessionTouchesFailed: Counter
    let sessionTouchesDropped: Counter

    /// Metrics reported to `factory` (tests pass their own), or to the bootstrapped metrics system.
    init(factory: (any MetricsFactory)? = nil) {
        let factory = factory ?? MetricsSystem.factory
        let counting = !(factory is NOOPMetricsHandler)
        func counter(_ label: String, _ result: String? = nil) -> Counter {
            Counter(label: label, dimensions: result.map { [("result", $0)] } ?? [], factory: factory)
        }
        authenticateAccepted = counting ? counter("authkit_authenticate_total", "accepted") : nil
        authenticateRejected = counter("authkit_authenticate_total", "invalid")
        authenticateRevoked = counter("authkit_authenticate_total", "revoked")
        authenticateUnavailable = counter("authkit_authenticate_total", "store_unavailable")
        authenticateKeysUnavailable = counter("authkit_authenticate_total", "keys_unavailable")
        authenticateDuration = counting ? Metrics.Timer(label: "authkit_authenticate_duration", factory: factory) : nil
        legacyAccepted = counter("authkit_legacy_tokens_total", "accepted")
        legacyRefused = counter("authkit_legacy_tokens_total", "refused")
        logins = counter("authkit_logins_total")
        refreshes = counter("authkit_refresh_total", "rotated")
        refreshReuse = counter("authkit_refresh_total", "reuse")
        refreshRejected = counter("authkit_refresh_total", "invalid")
        rateLimited = counter("authkit_rate_limited_total")
        mirrorServed = counting ? counter("authkit_mirror_checks_total", "served") : nil
        mirrorReferred = Dictionary(
            uniqueKeysWithValues: RevocationMirrorState.Referral.allCases.map {
                ($0, counter("authkit_mirror_checks_total", $0.rawValue))
            }
        )
        sessionTouchesWritten = counter("authkit_session_touches_total", "written")
        sessionTouchesEnded = counter("authkit_session_touches_total", "ended")
        sessionTouchesCoalesced = counter("authkit_session_touches_total", "coalesced")
        sessionTouchesFailed = counter("authkit_session_touches_total", "failed")
        sessionTouchesDropped = counter("authkit_session_touches_total", "dropped")
    }
}
