import AuthKit
import AuthKitTesting
import Testing

/// What the facade guarantees of the tokens it mints, which a revocation mirror relies on, and the configuration
/// rules that hold it.
@Suite("Revocation mirror: the issuer's side")
struct RevocationMirrorConfigurationTests {
    private static func configuration(
        lifetime: Duration = .seconds(900),
        refresh: Duration = .seconds(3600),
        idle: Duration? = nil,
        mirror: RevocationMirrorPolicy? = RevocationMirrorPolicy()
    ) throws -> AuthKitConfiguration {
        var configuration = AuthKitConfiguration(
            issuer: "https://api.example.com",
            audience: "api",
            signingKeys: [try JWTKey.hs256(Harness.secret, kid: "k")],
            accessTokenLifetime: lifetime,
            refreshTokenLifetime: refresh,
            refreshIdleLifetime: idle
        )
        configuration.revocationMirror = mirror
        return configuration
    }

    /// Whether opening an issuer with `configuration` is refused as an invalid configuration.
    private static func isRefused(_ configuration: AuthKitConfiguration) async -> Bool {
        do {
            _ = try await AuthKit(configuration: configuration)
        } catch let error as AuthKitError {
            return error.code == .invalidConfiguration
        } catch {}
        return false
    }

    @Test("no access token outlives its session's absolute end")
    func accessTokensStopAtTheSessionsEnd() async throws {
        let clock = ManualClock()
        let auth = try await AuthKit(
            configuration: try Self.configuration(refresh: .seconds(1200), mirror: nil),
            clock: clock.timeSource
        )
        let pair = try await auth.login(userID: "42")
        #expect(pair.expiresIn == .seconds(900))
        clock.advance(by: .seconds(600))
        let next = try await auth.refresh(pair.refreshToken)
        #expect(next.expiresIn == .seconds(600), "capped at the session's absolute end")
        #expect(next.accessTokenExpiresAt <= next.session.absoluteExpiresAt)
        let principal = try await auth.authenticate(token: next.accessToken)
        #expect(principal.expiresAt == UnixTime(seconds: next.session.absoluteExpiresAt.seconds))
    }

    @Test("with the mirror on, a token may not outlive the policy's lifetime or the idle lifetime")
    func lifetimesAreChecked() async throws {
        #expect(!(await Self.isRefused(try Self.configuration())))
        let short = RevocationMirrorPolicy(maxAccessTokenLifetime: .seconds(600))
        #expect(await Self.isRefused(try Self.configuration(mirror: short)))
        #expect(await Self.isRefused(try Self.configuration(idle: .seconds(600))))
        #expect(!(await Self.isRefused(try Self.configuration(idle: .seconds(600), mirror: nil))))
        let badPolicy = RevocationMirrorPolicy(stalenessBound: .zero)
        #expect(await Self.isRefused(try Self.configuration(mirror: badPolicy)))
    }

    @Test("the in-memory store needs no mirror: its checks stay local and correct")
    func inMemoryIgnoresTheMirror() async throws {
        let auth = try await AuthKit(configuration: try Self.configuration())
        let pair = try await auth.login(userID: "42")
        _ = try await auth.authenticate(token: pair.accessToken)
        try await auth.logout(accessToken: pair.accessToken)
        let refused = await #expect(throws: AuthKitError.self) {
            _ = try await auth.authenticate(token: pair.accessToken)
        }
        #expect(refused?.code == .tokenRevoked)
    }
}
