import Metrics

/// The counters and timers AuthKit reports through swift-metrics, created once so the hot path only
/// increments them.
struct AuthKitMetrics: Sendable {
    let authenticateAccepted = Counter(label: "authkit_authenticate_total", dimensions: [("result", "accepted")])
    let authenticateRejected = Counter(label: "authkit_authenticate_total", dimensions: [("result", "invalid")])
    let authenticateRevoked = Counter(label: "authkit_authenticate_total", dimensions: [("result", "revoked")])
    let authenticateUnavailable = Counter(
        label: "authkit_authenticate_total",
        dimensions: [("result", "store_unavailable")]
    )
    let authenticateDuration = Metrics.Timer(label: "authkit_authenticate_duration")
    let logins = Counter(label: "authkit_logins_total")
    let refreshes = Counter(label: "authkit_refresh_total", dimensions: [("result", "rotated")])
    let refreshReuse = Counter(label: "authkit_refresh_total", dimensions: [("result", "reuse")])
    let refreshRejected = Counter(label: "authkit_refresh_total", dimensions: [("result", "invalid")])
    let rateLimited = Counter(label: "authkit_rate_limited_total")
}
