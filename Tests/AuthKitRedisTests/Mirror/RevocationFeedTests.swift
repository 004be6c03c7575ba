import AuthKitClock
import AuthKitTesting
import RedisClient
import Testing
@_spi(TokenStoreImplementation) import TokenStore

@testable import AuthKitRedis

/// What the store's scripts write to the revocation feed: nothing while no mirror has begun it, and once one has,
/// exactly one entry per revocation, epoch and ended session, in the step that changes the store.
@Suite("Revocation feed written by RedisTokenStore")
struct RevocationFeedTests {
    @Test("without a mirror no feed is written")
    func noFeedWithoutAMirror() async throws {
        try await withManualStore { client, prefix, clock, store in
            let grant = try await store.createSession(NewSession(userID: "ann"))
            #expect(try await store.revoke(jti: "j1", userID: "ann", expiresAt: clock.now + .seconds(60)))
            #expect(try await store.revokeSession(userID: "ann", sessionID: grant.session.id))
            #expect(try await store.logOutEverywhere(userID: "ann", retention: .seconds(60)) == 0)
            #expect(try await client.send(["EXISTS", RedisArgument(prefix + "feed")]).integer == 0)
        }
    }

    @Test("every revocation, epoch and session end is one entry, and nothing else is")
    func entriesPerOperation() async throws {
        try await withManualStore { client, prefix, clock, store in
            let mirror = try RevocationMirrorFixture.mirror(client, prefix: prefix, clock: clock.timeSource)
            #expect(try await mirror.poll() == .began)
            let began = clock.now
            clock.advance(by: .seconds(1))
            var expected: [RevocationFeedEntry] = [.began(at: began)]
            func expectFeed(_ step: String) async throws {
                #expect(try await RevocationMirrorFixture.feed(client, prefix: prefix) == expected, "\(step)")
            }

            let single = SessionPolicy(maxSessions: 1, overflow: .evictOldest)
            let first = try await store.createSession(NewSession(userID: "ann", policy: single))
            _ = try await store.touchSession(userID: "ann", sessionID: first.session.id)
            guard case .rotated(let rotated) = try await store.rotate(refreshToken: first.refreshToken.text) else {
                Issue.record("the first rotation failed")
                return
            }
            try await expectFeed("a login, a touch and a rotation end nothing")

            #expect(try await store.revoke(jti: "j1", userID: "ann", expiresAt: clock.now + .seconds(60)))
            expected.append(
                .revoked(
                    userID: "ann",
                    jti: "j1",
                    until: TokenStoreLimits.revokedUntil(expiresAt: clock.now + .seconds(60))
                )
            )
            #expect(!(try await store.revoke(jti: "j0", userID: "ann", expiresAt: clock.now - .seconds(3600))))
            try await expectFeed("a revocation, and one of a token long expired")

            clock.advance(by: .seconds(1))
            let second = try await store.createSession(NewSession(userID: "ann", policy: single))
            expected.append(.sessionEnded(userID: "ann", sessionID: first.session.id, at: clock.now))
            try await expectFeed("a login over the limit evicts the first session")

            clock.advance(by: .seconds(1))
            guard case .rotated = try await store.rotate(refreshToken: second.refreshToken.text) else {
                Issue.record("the second rotation failed")
                return
            }
            guard case .reuseDetected = try await store.rotate(refreshToken: second.refreshToken.text) else {
                Issue.record("presenting a rotated token again was not reuse")
                return
            }
            expected.append(.sessionEnded(userID: "ann", sessionID: second.session.id, at: clock.now))
            guard case .invalid = try await store.rotate(refreshToken: rotated.refreshToken.text) else {
                Issue.record("a token of an evicted session rotated")
                return
            }
            try await expectFeed("refresh-token reuse ends the session, once")

            let third = try await store.createSession(NewSession(userID: "ann"))
            #expect(try await store.revokeSession(userID: "ann", sessionID: third.session.id))
            expected.append(.sessionEnded(userID: "ann", sessionID: third.session.id, at: clock.now))
            #expect(!(try await store.revokeSession(userID: "ann", sessionID: third.session.id)))
            try await expectFeed("a session revoked, and revoked again")

            let fourth = try await store.createSession(NewSession(userID: "ann"))
            // A second apart, so that the sessions index (a ZSET by expiry, which the script walks) orders them: created
            // at the same instant, they tie, and Redis orders them by their random ids.
            clock.advance(by: .seconds(1))
            let fifth = try await store.createSession(NewSession(userID: "ann"))
            #expect(try await store.revokeAllSessions(userID: "ann") == 2)
            expected.append(.sessionEnded(userID: "ann", sessionID: fourth.session.id, at: clock.now))
            expected.append(.sessionEnded(userID: "ann", sessionID: fifth.session.id, at: clock.now))
            try await expectFeed("every session revoked")

            clock.advance(by: .seconds(1))
            let sixth = try await store.createSession(NewSession(userID: "bo"))
            #expect(try await store.logOutEverywhere(userID: "bo", retention: .seconds(90)) == 1)
            expected.append(
                .epoch(
                    userID: "bo",
                    epoch: AccessRecords.EpochRecord(cutoff: clock.now, retainedUntil: clock.now + .seconds(90))
                )
            )
            expected.append(.sessionEnded(userID: "bo", sessionID: sixth.session.id, at: clock.now))
            try await expectFeed("a log-out everywhere: the epoch, then each session it ended")
        }
    }

    @Test("writers trim entries older than the feed's retention")
    func trimmedByRetention() async throws {
        try await withManualStore { client, prefix, clock, store in
            let feed = RedisArgument(prefix + "feed")
            _ = try await client.send(["XADD", feed, "1-0", "k", "b", "t", "0"])
            #expect(try await store.revoke(jti: "j1", userID: "ann", expiresAt: clock.now + .seconds(60)))
            let entries = try await RevocationMirrorFixture.feed(client, prefix: prefix)
            #expect(entries.count == 1)
            #expect(entries.first.map { if case .revoked = $0 { true } else { false } } == true)
        }
    }

    /// A writer that dies mid-call (its connection killed while its scripts run, as when its process is killed):
    /// whatever reached the store reached the feed, because both are one script.
    @Test("writers whose connections are killed mid-call leave no revocation in the store without its feed entry")
    func killedWritersLeaveNothingOut() async throws {
        try await withRedisURL { url in
            try await withClient(url: url) { admin in
                var configuration = try RedisConfiguration(url: url)
                configuration.commandTimeout = TestTiming.scaled(.seconds(5))
                configuration.reconnectBackoff = RedisBackoff(initial: .milliseconds(1), maximum: .milliseconds(20))
                let writer = RedisClient(configuration: configuration)
                let prefix = uniquePrefix()
                let store = try RedisTokenStore(
                    client: writer,
                    configuration: RedisTokenStoreConfiguration(keyPrefix: prefix)
                )
                let mirror = try RevocationMirrorFixture.mirror(admin, prefix: prefix)
                #expect(try await mirror.poll() == .began)
                let expires = TimeSource.system.now() + .seconds(600)
                let lost = try await withThrowingTaskGroup(of: Int.self) { group in
                    for worker in 0..<16 {
                        group.addTask {
                            var failed = 0
                            for index in 0..<150 {
                                do {
                                    _ = try await store.revoke(
                                        jti: "w\(worker)-\(index)",
                                        userID: "ann",
                                        expiresAt: expires
                                    )
                                } catch {
                                    failed += 1
                                }
                            }
                            return failed
                        }
                    }
                    group.addTask {
                        for _ in 0..<40 {
                            _ = try await admin.send(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"])
                            try await Task.sleep(for: .milliseconds(2))
                        }
                        return 0
                    }
                    return try await group.reduce(0, +)
                }
                let denylistPrefix = Array("\(RedisKeyspace(prefix: prefix).userBase("ann"))revoked:".utf8)
                let revoked = Set(
                    try await keys(under: prefix, admin).compactMap { key -> String? in
                        guard key.starts(with: denylistPrefix) else { return nil }
                        return String(decoding: key.dropFirst(denylistPrefix.count), as: UTF8.self)
                    }
                )
                let inFeed = Set(
                    try await RevocationMirrorFixture.feed(admin, prefix: prefix).compactMap { entry -> String? in
                        guard case .revoked(_, let jti, _) = entry else { return nil }
                        return jti
                    }
                )
                #expect(revoked == inFeed, "in the store only: \(revoked.subtracting(inFeed).sorted().prefix(5))")
                #expect(revoked.count > 0)
                print(
                    "figure: killed writers: \(revoked.count) revocations in store and feed alike, \(lost) calls cut off"
                )
                await writer.shutdown()
            }
        }
    }
}
