import AuthKit
import AuthKitClock
import AuthKitRedis
import AuthKitTesting
import Synchronization
import Testing

/// One company, one login: an issuer and two verify-only services with different audiences, in this process,
/// over one real `redis-server`. The services hold no private key: they fetch the issuer's published JWKS
/// through `RemoteJWKS`, as they would over HTTP.
@Suite("Many services, one login (Redis)")
struct ManyServicesTests {
    /// The issuer's `/.well-known/jwks.json`, reachable or not, counting fetches.
    final class JWKSEndpoint: Sendable {
        private struct Availability {
            var up = true
            var fetches = 0
        }
        private let state = Mutex(Availability())
        let issuer: Mutex<AuthKit?> = Mutex(nil)

        var fetches: Int { state.withLock { $0.fetches } }

        func setUp(_ up: Bool) {
            state.withLock { $0.up = up }
        }

        func fetch() throws -> JWKSDocument {
            struct Gone: Error {}
            let up = state.withLock { state in
                state.fetches += 1
                return state.up
            }
            guard up, let issuer = issuer.withLock({ $0 }) else { throw Gone() }
            return issuer.publicJWKS()
        }
    }

    /// The issuer (audiences `orders`, its default, and `billing`), its JWKS endpoint and the two services.
    /// The ring the issuer's signing-key provider returns; a test edits it to rotate.
    final class RingSource: Sendable {
        let ring: Mutex<SigningKeyRing>

        init(_ ring: SigningKeyRing) {
            self.ring = Mutex(ring)
        }
    }

    struct Company {
        static let issuerName = "https://login.example.com"
        static let oldSecret = [UInt8](repeating: 0x6A, count: 32)
        static let legacyCutoff = UnixTime(seconds: 1_767_225_600 + 86_400)

        let clock = ManualClock()
        let keys: RingSource
        let endpoint: JWKSEndpoint
        let issuer: AuthKit
        let orders: AuthKitVerifier
        let billing: AuthKitVerifier
        let jwks: (orders: RemoteJWKS, billing: RemoteJWKS)

        /// `jwksCache` is how long the services keep a fetched JWKS at least: longer than the issuer's
        /// publication lead makes them learn a rotated key from its first token (an unknown `kid`).
        init(url: String, jwksCache: Duration = .seconds(30)) async throws {
            let prefix = uniquePrefix()
            let keys = RingSource(SigningKeyRing(current: try JWTKey.generate(.es256, kid: "k1")))
            self.keys = keys
            let legacy = LegacyTokenPolicy(
                keys: try JWTKeySet([try JWTKey.hs256(Company.oldSecret)]),
                acceptedUntil: Company.legacyCutoff
            )
            let issuer = try await AuthKit(
                configuration: AuthKitConfiguration(
                    issuer: Company.issuerName,
                    audience: "orders",
                    registeredAudiences: ["billing"],
                    signingKeys: .provider(checkInterval: .seconds(3_600), publicationLead: .seconds(60)) {
                        keys.ring.withLock { $0 }
                    },
                    keyPrefix: prefix,
                    legacyTokens: legacy
                ),
                store: .redis(url: url),
                clock: clock.timeSource
            )
            self.issuer = issuer
            let endpoint = JWKSEndpoint()
            endpoint.issuer.withLock { $0 = issuer }
            self.endpoint = endpoint
            let cache = RemoteJWKSConfiguration(minimumMaxAge: jwksCache, maximumMaxAge: max(jwksCache, .seconds(60)))
            let jwks: (orders: RemoteJWKS, billing: RemoteJWKS) = (
                RemoteJWKS(configuration: cache, clock: clock.timeSource) { try endpoint.fetch() },
                RemoteJWKS(configuration: cache, clock: clock.timeSource) { try endpoint.fetch() }
            )
            self.jwks = jwks
            let clock = self.clock
            func service(_ audience: String, _ keys: RemoteJWKS) async throws -> AuthKitVerifier {
                try await AuthKitVerifier(
                    configuration: AuthKitVerifierConfiguration(
                        issuer: Company.issuerName,
                        audiences: [audience],
                        keys: .remote(keys),
                        keyPrefix: prefix,
                        legacyTokens: legacy
                    ),
                    store: .redis(url: url),
                    clock: clock.timeSource
                )
            }
            orders = try await service("orders", jwks.orders)
            billing = try await service("billing", jwks.billing)
        }

        func shutdown() async {
            await orders.shutdown()
            await billing.shutdown()
            await issuer.shutdown()
        }

        /// Runs `body` with a company over a fresh `redis-server`, shutting everything down after.
        static func with(
            jwksCache: Duration = .seconds(30),
            _ body: (Company) async throws -> Void
        ) async throws {
            try await withRedisURL { url in
                let company = try await Company(url: url, jwksCache: jwksCache)
                do {
                    try await body(company)
                } catch {
                    await company.shutdown()
                    throw error
                }
                await company.shutdown()
            }
        }
    }

    private func code(_ body: () async throws -> Void) async -> AuthKitError.Code? {
        await authKitErrorCode(body)
    }

    @Test func logoutOnTheIssuerIsRefusedByBothServices() async throws {
        try await Company.with { company in
            let login = try await company.issuer.login(userID: "alice")
            let forBilling = try await company.issuer.refresh(login.refreshToken, audience: "billing")
            #expect(try await company.orders.authenticate(token: login.accessToken).userID == "alice")
            #expect(try await company.billing.authenticate(token: forBilling.accessToken).userID == "alice")
            try await company.issuer.logout(accessToken: login.accessToken)
            #expect(await code { _ = try await company.orders.authenticate(token: login.accessToken) } == .tokenRevoked)
            #expect(
                await code { _ = try await company.billing.authenticate(token: forBilling.accessToken) }
                    == .sessionEnded
            )

            // Log out everywhere, and a session ended on its own, reach both services the same way.
            let second = try await company.issuer.login(userID: "alice")
            let secondBilling = try await company.issuer.refresh(second.refreshToken, audience: "billing")
            let third = try await company.issuer.login(userID: "bob")
            let thirdBilling = try await company.issuer.refresh(third.refreshToken, audience: "billing")
            company.clock.advance(by: .seconds(1))
            try await company.issuer.logoutEverywhere(userID: "alice")
            try await company.issuer.logout(sessionID: third.session.id, userID: "bob")
            for (service, token) in [
                (company.orders, second.accessToken), (company.billing, secondBilling.accessToken),
                (company.orders, third.accessToken), (company.billing, thirdBilling.accessToken),
            ] {
                #expect(await code { _ = try await service.authenticate(token: token) } != nil)
            }
        }
    }

    @Test func aTokenForOneServiceIsRefusedByTheOther() async throws {
        try await Company.with { company in
            let login = try await company.issuer.login(userID: "alice")
            let forBilling = try await company.issuer.refresh(login.refreshToken, audience: "billing")
            #expect(
                await code { _ = try await company.billing.authenticate(token: login.accessToken) } == .invalidToken
            )
            #expect(
                await code { _ = try await company.orders.authenticate(token: forBilling.accessToken) } == .invalidToken
            )
            _ = try await company.orders.authenticate(token: login.accessToken)
            _ = try await company.billing.authenticate(token: forBilling.accessToken)
        }
    }

    /// Counts every request of the load, keeps the first few failures and the first tokens minted.
    final class Tally: Sendable {
        private struct Counts {
            var attempts = 0
            var accepted = 0
            var failures: [String] = []
            var kids: Set<String> = []
        }
        private struct Load {
            var running = true
            var early: [(token: String, service: AuthKitVerifier)] = []
        }
        private let state = Mutex(Counts())
        private let load = Mutex(Load())

        var isRunning: Bool { load.withLock { $0.running } }
        var early: [(token: String, service: AuthKitVerifier)] { load.withLock { $0.early } }

        func stop() {
            load.withLock { $0.running = false }
        }

        func keepEarly(_ token: String, _ service: AuthKitVerifier) {
            load.withLock { if $0.early.count < 32 { $0.early.append((token, service)) } }
        }

        var attempts: Int { state.withLock { $0.attempts } }
        var accepted: Int { state.withLock { $0.accepted } }
        var failures: [String] { state.withLock { $0.failures } }
        var kids: Set<String> { state.withLock { $0.kids } }

        func record(kid: String?, _ outcome: Result<Principal, any Error>) {
            state.withLock { state in
                state.attempts += 1
                if let kid { state.kids.insert(kid) }
                switch outcome {
                case .success: state.accepted += 1
                case .failure(let error) where state.failures.count < 10:
                    state.failures.append("\(kid ?? "-"): \(error)")
                case .failure: break
                }
            }
        }
    }

    @Test func aKeyRotationOnTheIssuerUnderLoadLosesNoRequest() async throws {
        // The services keep a fetched JWKS for an hour: they learn the new key from its first token (an unknown
        // kid, refreshed once per cooldown), the harder path.
        try await Company.with(jwksCache: .seconds(3_600)) { company in
            let tally = Tally()
            let workers = 4
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<workers {
                        group.addTask {
                            let service = worker % 2 == 0 ? company.orders : company.billing
                            let audience = worker % 2 == 0 ? "orders" : "billing"
                            // A user of its own per login: the hard cap of live sessions per user would
                            // otherwise evict the sessions of the early tokens checked at the end.
                            var logins = 0
                            while tally.isRunning {
                                logins += 1
                                do {
                                    let pair = try await company.issuer.login(
                                        userID: "user\(worker)-\(logins)",
                                        audience: audience
                                    )
                                    let kid = try UnverifiedJWTDecoder.decode(pair.accessToken).header["kid"]?
                                        .stringValue
                                    do {
                                        tally.record(
                                            kid: kid,
                                            .success(try await service.authenticate(token: pair.accessToken))
                                        )
                                    } catch {
                                        tally.record(kid: kid, .failure(error))
                                    }
                                    tally.keepEarly(pair.accessToken, service)
                                } catch {
                                    tally.record(kid: nil, .failure(error))
                                }
                            }
                        }
                    }
                }
            }
            func waitForRequests(_ count: Int) async throws {
                let target = tally.attempts + count
                let moved = try await TestTiming.eventually(limit: .seconds(120)) { tally.attempts >= target }
                #expect(moved, "the load stalled")
            }
            try await waitForRequests(100)
            // Past the cooldown of the services' first fetch.
            company.clock.advance(by: .seconds(61))
            let k1 = company.keys.ring.withLock { $0.current }
            let k2 = try JWTKey.generate(.es256, kid: "k2")
            company.keys.ring.withLock { $0 = SigningKeyRing(current: k1, next: k2) }
            #expect(try await company.issuer.reloadSigningKeys())
            try await waitForRequests(100)
            #expect(tally.kids == ["k1"], "the next key signed before its publication lead")
            // Promoted after the lead; k1 retires once its last token has expired.
            company.clock.advance(by: .seconds(60))
            let notAfter = company.clock.now + .seconds(900)
            company.keys.ring.withLock { $0 = SigningKeyRing(current: k2, retiring: [.init(k1, notAfter: notAfter)]) }
            #expect(try await company.issuer.reloadSigningKeys())
            try await waitForRequests(200)
            tally.stop()
            await load.value

            #expect(tally.failures.isEmpty, "\(tally.failures)")
            #expect(tally.accepted == tally.attempts)
            #expect(tally.attempts >= 400)
            #expect(tally.kids == ["k1", "k2"])
            // Tokens signed by k1 before the rotation still verify at both services until k1 retires.
            let early = tally.early
            #expect(early.count == 32)
            for (token, service) in early {
                _ = try await service.authenticate(token: token)
            }
            // Each service learnt k2 from a refresh its first k2 token caused: one fetch each, all requests kept.
            #expect(await company.jwks.orders.fetchCount == 2)
            #expect(await company.jwks.billing.fetchCount == 2)
            company.clock.set(to: notAfter)
            #expect(try JWTKeySet(jwks: company.issuer.publicJWKS().text).keys.compactMap(\.kid) == ["k2"])
        }
    }

    @Test func aRemoteJWKSThatGoesAwayServesKnownKeysForItsMaxAgeAndFailsClosedAfter() async throws {
        try await Company.with(jwksCache: .seconds(300)) { company in
            let login = try await company.issuer.login(userID: "alice")
            _ = try await company.orders.authenticate(token: login.accessToken)
            #expect(company.endpoint.fetches == 1)
            company.endpoint.setUp(false)
            company.clock.advance(by: .seconds(299))
            let fresh = try await company.issuer.login(userID: "alice")
            _ = try await company.orders.authenticate(token: login.accessToken)
            _ = try await company.orders.authenticate(token: fresh.accessToken)
            #expect(company.endpoint.fetches == 1, "a known key needs no fetch within the max-age")
            company.clock.advance(by: .seconds(1))
            #expect(
                await code { _ = try await company.orders.authenticate(token: fresh.accessToken) } == .keysUnavailable
            )
            #expect(
                await code { _ = try await company.orders.authenticate(token: fresh.accessToken) } == .keysUnavailable
            )
            // Back again: the next fetch after the cooldown serves.
            company.endpoint.setUp(true)
            company.clock.advance(by: .seconds(60))
            _ = try await company.orders.authenticate(token: fresh.accessToken)
        }
    }

    @Test func legacyTokensPassBeforeTheCutoffAndAreRefusedAfterItAndAfterLogoutEverywhere() async throws {
        try await Company.with { company in
            func jwtKitToken(_ userID: String) throws -> String {
                let now = UnixTime(seconds: company.clock.now.seconds)
                let claims = JWTClaims(subject: userID, expiresAt: now + .seconds(7 * 86_400), issuedAt: now)
                return try JWTSigner(key: try JWTKey.hs256(Company.oldSecret), type: "JWT").sign(claims)
            }
            let alice = try jwtKitToken("alice")
            let bob = try jwtKitToken("bob")
            for service in [company.orders, company.billing] {
                #expect(try await service.authenticate(token: alice).isLegacy)
            }
            #expect(try await company.issuer.authenticate(token: alice).isLegacy)
            company.clock.advance(by: .seconds(1))
            try await company.issuer.logoutEverywhere(userID: "alice")
            for service in [company.orders, company.billing] {
                #expect(await code { _ = try await service.authenticate(token: alice) } == .tokenRevoked)
                _ = try await service.authenticate(token: bob)
            }
            company.clock.set(to: Company.legacyCutoff)
            for service in [company.orders, company.billing] {
                #expect(await code { _ = try await service.authenticate(token: bob) } == .invalidToken)
            }
            #expect(await code { _ = try await company.issuer.authenticate(token: bob) } == .invalidToken)
        }
    }
}
