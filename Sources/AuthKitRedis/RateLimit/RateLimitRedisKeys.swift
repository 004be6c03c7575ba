/// Key names for rate-limit state: `<prefix>rl:{<encoded limiter key>}`, one hash per limiter key.
///
/// The whole limiter key is the hash tag, so all of a key's policies live on one cluster slot and one script
/// decides them together.
enum RateLimitRedisKeys {
    /// The hash holding every policy's state for `limiterKey`.
    static func state(prefix: String, limiterKey: String) -> String {
        "\(prefix)rl:{\(RedisKeyComponent.encode(limiterKey))}"
    }
}
