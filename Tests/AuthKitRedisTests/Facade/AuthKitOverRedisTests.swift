import AuthKit
import AuthKitClock
import AuthKitRedis
import AuthKitTesting
import RedisClient
import Synchronization
import Testing

/// The facade end to end against a real `redis-server`: the same flows as the in-memory facade tests, plus
/// what only a shared store shows (two instances, one round trip, TTLs, outages).
@Suite("AuthKit over Redis")
struct AuthKitOverRedisTests {
    private static let key: JWTKey? = try? JWTKey.hs256([UInt8](repeating: 0x24, count: 32), kid: "k1")

    private func makeAuth(_ url: String, prefix: String) async throws -> AuthKit {
        let key = try #require(Self.key)
        return try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [key],
                keyPrefix: prefix
            ),
            store: .redis(url: url)
        )
    }

    private func withServer(_ body: (_ url: String, _ prefix: String) async throws -> Void) async throws {
        try await withRedisURL { url in try await body(url, uniquePrefix()) }
    }

    private func code(_ body: () async throws -> Void) async -> AuthKitError.Code? {
        await authKitErrorCode(body)
    }

    @Test func theWholeLifecycle() async throws {
        try await withServer { url, prefix in
            let auth = try await makeAuth(url, prefix: prefix)
            let phone = try await auth.login(
                userID: "alice",
                device: DeviceInfo(name: "phone", ipAddress: "198.51.100.1")
            )
            let laptop = try await auth.login(userID: "alice", device: DeviceInfo(name: "laptop"))
            #expect(try await auth.authenticate(bearer: "Bearer \(phone.accessToken)").sessionID == phone.session.id)
            #expect(try await auth.sessions(of: "alice").map(\.device.name) == ["phone", "laptop"])

            let rotated = try await auth.refresh(phone.refreshToken)
            #expect(await code { _ = try await auth.refresh(phone.refreshToken) } == .refreshTokenReused)
            #expect(await code { _ = try await auth.authenticate(token: rotated.accessToken) } == .sessionEnded)

            try await auth.logout(accessToken: laptop.accessToken)
            #expect(await code { _ = try await auth.authenticate(token: laptop.accessToken) } == .tokenRevoked)

            let tablet = try await auth.login(userID: "alice", device: DeviceInfo(name: "tablet"))
            // The real clock must pass a second: JWT `iat` has whole seconds, and the tablet's token is refused as
            // predating the epoch (`tokenRevoked`) only when it was issued in an earlier second than the logout.
            try await Task.sleep(for: .milliseconds(1100))
            let lastOne = try await auth.login(userID: "alice")
            #expect(try await auth.logoutEverywhere(userID: "alice") == 2)
            #expect(await code { _ = try await auth.authenticate(token: tablet.accessToken) } == .tokenRevoked)
            #expect(await code { _ = try await auth.authenticate(token: lastOne.accessToken) } != nil)
            #expect(try await auth.sessions(of: "alice").isEmpty)
            let again = try await auth.login(userID: "alice")
            _ = try await auth.authenticate(token: again.accessToken)
            await auth.shutdown()
        }
    }

    @Test func authenticateIsOneCommand() async throws {
        try await withServer { url, prefix in
            let auth = try await makeAuth(url, prefix: prefix)
            let pair = try await auth.login(userID: "42")
            _ = try await auth.authenticate(token: pair.accessToken)  // script cache warm
            let probe = try RedisClient(url: url)
            let before = try await commandCalls(probe)
            for _ in 0..<10 {
                _ = try await auth.authenticate(token: pair.accessToken)
            }
            let after = try await commandCalls(probe)
            // The read-only check is one command, no script: an MGET of the denylist entry and the check keys of
            // the epoch and the session.
            #expect(after["mget", default: 0] - before["mget", default: 0] == 10)
            // Nothing else (but this probe's INFO) reached the server.
            let others = after.filter { !["mget", "info"].contains($0.key) }
            for (command, calls) in others {
                #expect(calls == before[command, default: 0], "\(command) was called by authenticate")
            }
            await probe.shutdown()
            await auth.shutdown()
        }
    }

    /// Two app servers on one Redis whose clocks differ by more than a session's idle lifetime: the fast one's
    /// writes see the slow one's sessions as idle-expired, a log-out-everywhere on the slow one must still end every
    /// session, and no refresh or access token of them may pass on either server afterwards.
    @Test func logoutEverywhereHoldsWhenServerClocksDisagree() async throws {
        try await withServer { url, prefix in
            let key = try #require(Self.key)
            let idle = Duration.seconds(600)
            let configuration = AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [key],
                refreshIdleLifetime: idle,
                keyPrefix: prefix
            )
            let slowClock = ManualClock()
            let fastClock = ManualClock(start: slowClock.now + idle * 2 + .seconds(60))
            let slow = try await AuthKit(
                configuration: configuration,
                store: .redis(url: url),
                clock: slowClock.timeSource
            )
            let fast = try await AuthKit(
                configuration: configuration,
                store: .redis(url: url),
                clock: fastClock.timeSource
            )
            let advance = { (duration: Duration) in
                slowClock.advance(by: duration)
                fastClock.advance(by: duration)
            }
            let phone = try await slow.login(userID: "alice", device: DeviceInfo(name: "phone"))
            advance(.seconds(1))
            let laptop = try await fast.login(userID: "alice", device: DeviceInfo(name: "laptop"))
            advance(.seconds(1))
            _ = try await slow.logoutEverywhere(userID: "alice")
            advance(.seconds(2))
            for server in [slow, fast] {
                for pair in [phone, laptop] {
                    #expect(await code { _ = try await server.refresh(pair.refreshToken) } == .invalidRefreshToken)
                    #expect(await code { _ = try await server.authenticate(token: pair.accessToken) } != nil)
                }
                #expect(try await server.sessions(of: "alice").isEmpty)
            }
            // A new login after the log-out works as usual.
            let again = try await slow.login(userID: "alice")
            _ = try await slow.authenticate(token: again.accessToken)
            await slow.shutdown()
            await fast.shutdown()
        }
    }

    @Test func permissionsAndRateLimitsAreSharedBetweenInstances() async throws {
        try await withServer { url, prefix in
            let first = try await makeAuth(url, prefix: prefix)
            let second = try await makeAuth(url, prefix: prefix)
            let loads = Mutex(0)
            let load: @Sendable (String) async throws -> PermissionSet? = { _ in
                loads.withLock { $0 += 1 }
                return ["orders:*"]
            }
            #expect(try await first.permissions(for: "bob", load: load).contains("orders:read"))
            #expect(try await second.permissions(for: "bob", load: load).contains("orders:write"))
            #expect(loads.withLock { $0 } == 1)
            try await second.invalidatePermissions(of: "bob")
            _ = try await first.permissions(for: "bob", load: load)
            #expect(loads.withLock { $0 } == 2)

            // A sliding window: the server decides at its own TIME, and a fixed window would start counting again if
            // its minute turned between the four calls.
            let policy = RateLimitPolicy.perMinute(3, algorithm: .slidingWindow)
            for auth in [first, second, first] {
                #expect(try await auth.rateLimit("login:bob", policy: policy).isAllowed)
            }
            let refused = try await second.rateLimit("login:bob", policy: policy)
            #expect(!refused.isAllowed)
            #expect(refused.source == .store)
            await first.shutdown()
            await second.shutdown()
        }
    }

    @Test func everyKeyHasATTLAndNoTokenIsStored() async throws {
        try await withServer { url, prefix in
            let auth = try await makeAuth(url, prefix: prefix)
            var secrets: [String] = []
            for user in ["u1", "a}b:{c", "é"] {
                let pair = try await auth.login(userID: user)
                let next = try await auth.refresh(pair.refreshToken)
                try await auth.logout(accessToken: next.accessToken)
                _ = try await auth.rateLimit("api:\(user)", policy: .perSecond(5))
                _ = try await auth.permissions(for: user) { _ in ["x"] }
                secrets += [pair.accessToken, pair.refreshToken, next.accessToken, next.refreshToken]
            }
            try await auth.logoutEverywhere(userID: "u1")
            let probe = try RedisClient(url: url)
            let found = try await keys(under: prefix, probe)
            #expect(!found.isEmpty)
            for key in found {
                let ttl = try await probe.pttl(RedisArgument(key))
                // -2: the key expired between listing and reading (short rate-limit windows, slow sanitizer runs);
                // 0: it expires within this millisecond (an ASan run met a one-second window's key there);
                // -1 would be a key without a TTL.
                #expect(ttl >= 0 || ttl == -2, "\(String(decoding: key, as: UTF8.self)) has PTTL \(ttl)")
                let text = String(decoding: key, as: UTF8.self)
                #expect(!secrets.contains { text.contains($0) || text.contains($0.split(separator: ".").last ?? "") })
            }
            await probe.shutdown()
            await auth.shutdown()
        }
    }

    @Test func aDeadStoreFailsClosed() async throws {
        let server = try await RedisTestServer.start()
        defer { server.terminate() }
        var configuration = try RedisConfiguration(url: server.url)
        configuration.commandTimeout = .milliseconds(500)
        configuration.connectTimeout = .milliseconds(500)
        let client = RedisClient(configuration: configuration)
        let key = try #require(Self.key)
        let auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "i",
                audience: "a",
                signingKeys: [key],
                keyPrefix: uniquePrefix()
            ),
            store: .redis(client: client)
        )
        let pair = try await auth.login(userID: "42")
        await server.kill()
        let started = ContinuousClock.now
        #expect(await code { _ = try await auth.authenticate(token: pair.accessToken) } == .storeUnavailable)
        #expect(await code { _ = try await auth.refresh(pair.refreshToken) } == .storeUnavailable)
        #expect(ContinuousClock.now - started < TestTiming.scaled(.seconds(5)))
        await client.shutdown()
    }
}
