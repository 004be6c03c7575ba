import AuthKitClock
import AuthKitTesting
import RedisClient
import Testing
import TokenStore

@testable import AuthKitRedis

/// The mirror's verdict against the store's over a seeded workload of the real scripts (logins under session limits,
/// rotations and refresh-token reuse, revocations, touches, session ends, log-outs everywhere, time passing): every
/// check the mirror answers must get the store's answer, for tokens minted as an AuthKit issuer mints them (a lifetime
/// within the idle lifetime, never past the session's absolute end).
@Suite("Revocation mirror against the store")
struct RevocationMirrorDifferentialTests {
    private static let accessTokenLifetime: Duration = .seconds(60)

    @Test("the mirror gives the store's verdict for every check it answers, over a seeded workload")
    func mirrorAgreesWithTheStore() async throws {
        try await withManualStore { client, prefix, clock, redis in
            let memory = InMemoryTokenStore(clock: clock.timeSource)
            // Staleness is not what this test is about: the mirror polls after every step, so a bound this wide
            // keeps a stalled machine from turning answers into referrals.
            let policy = RevocationMirrorPolicy(
                stalenessBound: .seconds(3600),
                maxAccessTokenLifetime: Self.accessTokenLifetime
            )
            let mirror = try RevocationMirrorFixture.mirror(
                client,
                prefix: prefix,
                clock: clock.timeSource,
                policy: policy
            )
            #expect(try await mirror.poll() == .began)
            try await RevocationMirrorFixture.catchUp(mirror)
            clock.advance(by: .seconds(2))
            var workload = ParallelWorkload(redis: redis, memory: memory, clock: clock)
            #expect(Self.accessTokenLifetime <= workload.lifetime.idle)
            var generator = SeededGenerator(seed: 0x3177_0418)
            var served: [AccessStatus: Int] = [:]
            var referred: [RevocationMirrorState.Referral: Int] = [:]
            var expired = 0
            for _ in 0..<3000 {
                let user = try await workload.step(&generator)
                try await RevocationMirrorFixture.catchUp(mirror)
                for login in workload.logins.indices.filter({ workload.logins[$0].user == user }).suffix(6) {
                    let entry = workload.logins[login]
                    let expiresAt = min(
                        UnixTime(seconds: entry.issuedAt.seconds) + Self.accessTokenLifetime,
                        UnixTime(seconds: entry.sessionEnds.seconds)
                    )
                    guard clock.now < expiresAt else {
                        expired += 1
                        continue
                    }
                    for hasJTI in [true, false] {
                        let check = workload.checks(of: login, withJTI: hasJTI).redis
                        let expected = try await redis.check(check)
                        switch mirror.verdict(for: check, expiresAt: expiresAt) {
                        case .status(let status):
                            #expect(status == expected, "\(entry) jti: \(hasJTI) after \(workload.history.suffix(4))")
                            served[status, default: 0] += 1
                        case .refer(let referral):
                            referred[referral, default: 0] += 1
                        }
                    }
                }
            }
            #expect(Set(served.keys) == [.valid, .revoked, .predatesEpoch, .sessionEnded], "\(served)")
            #expect(Set(referred.keys).isSubset(of: [.epochSecond]), "\(referred)")
            let answered = served.values.reduce(0, +)
            #expect(answered > 10 * referred.values.reduce(0, +), "served \(served), referred \(referred)")
            print(
                "figure: mirror differential, 3000 operations: served \(served), referred \(referred), "
                    + "\(expired) expired tokens not checked"
            )
        }
    }
}
