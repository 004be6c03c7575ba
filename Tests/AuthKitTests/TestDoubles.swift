import AuthKit
import AuthKitTesting

/// An AuthKit instance over in-memory stores and a manual clock, with the token store instrumented.
struct Harness {
    let clock = ManualClock()
    let tokens: InstrumentedTokenStore
    let auth: AuthKit
    static let secret = [UInt8](repeating: 0x42, count: 32)

    init(
        sessionPolicy: SessionPolicy = .default,
        gracePeriod: Duration = .zero,
        touchSessionOnAuthenticate: Bool = false
    ) async throws {
        let tokens = InstrumentedTokenStore(clock: clock.timeSource)
        let clock = self.clock
        self.tokens = tokens
        let store = AuthKitStore.instrumented(tokens)
        auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [try JWTKey.hs256(Self.secret, kid: "2026-11")],
                refreshReuseGracePeriod: gracePeriod,
                sessionPolicy: sessionPolicy,
                touchSessionOnAuthenticate: touchSessionOnAuthenticate
            ),
            store: store,
            clock: clock.timeSource
        )
    }
}

extension AuthKitStore {
    /// In-memory stores with `tokens` for the token store, so a test can count its calls or make it fail.
    static func instrumented(_ tokens: InstrumentedTokenStore) -> AuthKitStore {
        AuthKitStore(name: "instrumented") { _, timeSource in
            AuthKitStore.Backends(
                tokens: tokens,
                rateLimits: InMemoryRateLimitStore(clock: timeSource),
                permissions: InMemoryPermissionStore(clock: timeSource),
                invalidations: InMemoryPermissionInvalidationBus()
            )
        }
    }
}
