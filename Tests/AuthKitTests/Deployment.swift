import AuthKitTesting
import Foundation
import Logging
import Metrics
import Testing

@testable import AuthKit

/// One issuer and the verify-only services of a company, sharing one in-memory store and one manual clock, as
/// they would share one Redis.
struct Deployment {
    static let issuerName = "https://login.example.com"

    let clock: ManualClock
    let signingKey: JWTKey
    let issuer: AuthKit
    private let store: AuthKitStore

    /// An issuer signing with a fresh ES256 key, minting for `orders` (its default audience) and `billing`.
    init(
        sessionPolicy: SessionPolicy = .default,
        legacyTokens: LegacyTokenPolicy? = nil,
        clock: ManualClock = ManualClock()
    ) async throws {
        let backends = AuthKitStore.Backends(
            tokens: InMemoryTokenStore(clock: clock.timeSource),
            rateLimits: InMemoryRateLimitStore(clock: clock.timeSource),
            permissions: InMemoryPermissionStore(clock: clock.timeSource),
            invalidations: InMemoryPermissionInvalidationBus()
        )
        self.clock = clock
        self.store = AuthKitStore(name: "shared in-memory") { _, _ in backends }
        self.signingKey = try JWTKey.generate(.es256, kid: "2026-11")
        self.issuer = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: Self.issuerName,
                audience: "orders",
                registeredAudiences: ["billing"],
                signingKeys: [signingKey],
                sessionPolicy: sessionPolicy,
                legacyTokens: legacyTokens
            ),
            store: store,
            clock: clock.timeSource
        )
    }

    /// The issuer's public keys, as a verify-only service holds them.
    var publicKeys: JWTKeySet {
        get throws { try JWTKeySet([try signingKey.publicKey()]) }
    }

    /// A verify-only service for `audience` over the shared store, with the issuer's public keys unless told.
    func service(
        _ audience: String,
        keys: VerificationKeys? = nil,
        adjust: (inout AuthKitVerifierConfiguration) -> Void = { _ in },
        metrics: (any MetricsFactory)? = nil
    ) async throws -> AuthKitVerifier {
        var configuration = AuthKitVerifierConfiguration(
            issuer: Self.issuerName,
            audiences: [audience],
            keys: try keys ?? .keySet(publicKeys)
        )
        adjust(&configuration)
        return try await AuthKitVerifier(
            configuration: configuration,
            issuerAudiences: nil,
            store: store,
            clock: clock.timeSource,
            logger: Logger(label: "test"),
            metricsFactory: metrics
        )
    }
}

/// Expects `body` to throw an ``AuthKitError`` with `code`, and returns it.
@discardableResult
func expectAuthKitError(
    _ code: AuthKitError.Code,
    _ comment: Comment? = nil,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> AuthKitError? {
    do {
        try await body()
        Issue.record("expected \(code), got success. \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
    } catch let error as AuthKitError {
        #expect(error.code == code, "\(error) \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected AuthKitError \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// A temporary directory, removed when the value is dropped by `body`.
func withTemporaryDirectory<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("authkit-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}
