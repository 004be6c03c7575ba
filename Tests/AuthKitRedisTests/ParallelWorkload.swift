import AuthKitClock
import AuthKitTesting
import Testing
import TokenStore

@testable import AuthKitRedis

/// The same operations on a Redis store and an in-memory store sharing one manual clock: logins, refreshes (some
/// with a token kept back, to be reused later), revocations, touches, session ends and log-outs everywhere, chosen by
/// a seeded generator. The stores draw their own session ids and refresh tokens; a login pairs them.
struct ParallelWorkload {
    /// One login on both stores, with the `iat` of its latest access token.
    struct Login: CustomStringConvertible {
        let user: String
        let index: Int
        let redisSessionID: String
        let memorySessionID: String
        var redisToken: String
        var memoryToken: String
        /// An earlier pair of refresh tokens, kept to present again (reuse).
        var kept: (redis: String, memory: String)?
        var issuedAt: UnixTime
        /// The session's absolute end, which no access token of it outlives.
        let sessionEnds: UnixTime

        var description: String { "login \(index) of \(user)" }
    }

    let redis: RedisTokenStore
    let memory: InMemoryTokenStore
    let clock: ManualClock
    private(set) var logins: [Login] = []
    private(set) var history: [String] = []
    private let users = ["ann", "bo", "cy"]
    let lifetime = SessionLifetime(absolute: .seconds(1_800), idle: .seconds(90), reuseGracePeriod: .seconds(1))

    init(redis: RedisTokenStore, memory: InMemoryTokenStore, clock: ManualClock) {
        self.redis = redis
        self.memory = memory
        self.clock = clock
    }

    /// The access check of `login`'s latest token on each store.
    func checks(of login: Int, withJTI: Bool) -> (memory: AccessCheck, redis: AccessCheck) {
        let entry = logins[login]
        let jti = withJTI ? "j\(entry.index)" : nil
        let issued = UnixTime(seconds: entry.issuedAt.seconds)
        return (
            AccessCheck(userID: entry.user, jti: jti, issuedAt: issued, sessionID: entry.memorySessionID),
            AccessCheck(userID: entry.user, jti: jti, issuedAt: issued, sessionID: entry.redisSessionID)
        )
    }

    /// Runs one operation on both stores, requiring the same outcome, and moves the clock on; returns its user.
    mutating func step(_ generator: inout SeededGenerator) async throws -> String {
        let user = users[Int(generator.next() % UInt64(users.count))]
        let mine = logins.indices.filter { logins[$0].user == user }
        let pick = mine.isEmpty ? nil : mine[Int(generator.next() % UInt64(mine.count))]
        let roll = generator.next() % 100
        switch (roll, pick) {
        case (0..<18, _), (_, nil):
            let policy = SessionPolicy(maxSessions: 3, overflow: roll % 3 == 0 ? .refuseNewLogin : .evictOldest)
            let request = NewSession(userID: user, lifetime: lifetime, policy: policy)
            let byRedis = try await Self.login(request, on: redis)
            let byMemory = try await Self.login(request, on: memory)
            #expect((byRedis == nil) == (byMemory == nil), "login of \(user)")
            if let byRedis, let byMemory {
                #expect(byRedis.endedSessionIDs.count == byMemory.endedSessionIDs.count, "evictions of \(user)")
                logins.append(
                    Login(
                        user: user,
                        index: logins.count,
                        redisSessionID: byRedis.session.id,
                        memorySessionID: byMemory.session.id,
                        redisToken: byRedis.refreshToken.text,
                        memoryToken: byMemory.refreshToken.text,
                        issuedAt: clock.now,
                        sessionEnds: clock.now + lifetime.absolute
                    )
                )
            }
            history.append("login \(user)")
        case (18..<40, let login?):
            var presented = (logins[login].redisToken, logins[login].memoryToken)
            let reuse = roll % 5 == 0
            if reuse, let kept = logins[login].kept {
                presented = kept
            }
            let byRedis = try await redis.rotate(refreshToken: presented.0)
            let byMemory = try await memory.rotate(refreshToken: presented.1)
            switch (byRedis, byMemory) {
            case (.rotated(let redisGrant), .rotated(let memoryGrant)):
                if roll % 3 == 0 { logins[login].kept = (logins[login].redisToken, logins[login].memoryToken) }
                logins[login].redisToken = redisGrant.refreshToken.text
                logins[login].memoryToken = memoryGrant.refreshToken.text
                logins[login].issuedAt = clock.now
            case (.reuseDetected, .reuseDetected), (.invalid, .invalid):
                break
            default:
                Issue.record("\(logins[login]): rotation gave \(byRedis) on Redis, \(byMemory) in memory")
            }
            history.append("rotate \(logins[login])\(reuse ? " (reuse)" : "")")
        case (40..<55, let login?):
            let expires = logins[login].issuedAt + .seconds(Int64(generator.next() % 200))
            let jti = "j\(logins[login].index)"
            let byRedis = try await redis.revoke(jti: jti, userID: user, expiresAt: expires)
            #expect(try await memory.revoke(jti: jti, userID: user, expiresAt: expires) == byRedis)
            history.append("revoke \(jti)")
        case (55..<72, let login?):
            let byRedis = try await redis.touchSession(userID: user, sessionID: logins[login].redisSessionID)
            let byMemory = try await memory.touchSession(userID: user, sessionID: logins[login].memorySessionID)
            #expect(byRedis == byMemory, "touch \(logins[login])")
            history.append("touch \(logins[login])")
        case (72..<82, let login?):
            let (byMemory, byRedis) = checks(of: login, withJTI: roll % 2 == 0)
            var touchingMemory = byMemory
            var touchingRedis = byRedis
            touchingMemory.touchSession = true
            touchingRedis.touchSession = true
            let expected = try await memory.check(touchingMemory)
            #expect(try await redis.check(touchingRedis) == expected, "check touching \(logins[login])")
            history.append("check touching \(logins[login])")
        case (82..<90, let login?):
            let byRedis = try await redis.revokeSession(userID: user, sessionID: logins[login].redisSessionID)
            let byMemory = try await memory.revokeSession(userID: user, sessionID: logins[login].memorySessionID)
            #expect(byRedis == byMemory, "revoke \(logins[login])")
            history.append("revoke session \(logins[login])")
        case (90..<94, _):
            let byRedis = try await redis.revokeAllSessions(userID: user)
            #expect(try await memory.revokeAllSessions(userID: user) == byRedis, "revoke all of \(user)")
            history.append("revoke all of \(user)")
        default:
            let retention = Duration.seconds(Int64(30 + generator.next() % 120))
            let byRedis = try await redis.logOutEverywhere(userID: user, retention: retention)
            #expect(try await memory.logOutEverywhere(userID: user, retention: retention) == byRedis)
            history.append("log out everywhere \(user)")
        }
        let pause = generator.next() % 10 == 0 ? 5_000 + generator.next() % 60_000 : 1 + generator.next() % 1_500
        clock.advance(by: .milliseconds(Int64(pause)))
        return user
    }

    /// A login, or nil when the session policy refuses it.
    private static func login(_ request: NewSession, on store: any TokenStore) async throws -> SessionGrant? {
        do {
            return try await store.createSession(request)
        } catch let error as TokenStoreError where error.code == .sessionLimitReached {
            return nil
        }
    }
}
