import AuthKit
import AuthKitClock
import AuthKitTesting
import RedisClient
import Testing
import TokenStore

@testable import AuthKitRedis

/// The token store while its user's slot is half migrated between two primaries (some keys moved, the rest not
/// yet), as `redis-cli --cluster reshard` leaves it for a moment: every call must wait for the move and succeed,
/// none may fail or see the user's keys half.
@Suite("RedisTokenStore during a slot migration", .serialized)
struct SlotMigrationTests {
    @Test("login, session list, logout everywhere and refresh wait out a half-migrated slot and see every key")
    func halfMigratedSlot() async throws {
        let cluster = try await RedisTestCluster.start(RedisTestClusterOptions(replicasPerPrimary: 0))
        defer { cluster.terminate() }
        var configuration = try RedisConfiguration(url: cluster.url)
        configuration.commandTimeout = TestTiming.scaled(.seconds(10))
        let client = RedisClient(configuration: configuration)
        let store = try RedisTokenStore(
            client: client,
            configuration: RedisTokenStoreConfiguration(keyPrefix: uniquePrefix())
        )
        let user = "migrating-user"
        let limited = SessionPolicy(maxSessions: 5)
        var grants: [SessionGrant] = []
        for device in ["a", "b", "c"] {
            grants.append(
                try await store.createSession(
                    NewSession(userID: user, device: DeviceInfo(name: device), policy: limited)
                )
            )
        }
        let slot = try await cluster.keySlot(RedisKeyspace(prefix: store.configuration.keyPrefix).userBase(user))
        let source = try await cluster.ownerPort(ofSlot: slot)
        let target = try #require(try await cluster.primaryPorts().first { $0 != source })
        // Move the index and the first session away; the other two sessions stay behind for now.
        try await cluster.beginSlotMigration(slot, from: source, to: target)
        let keys = try await cluster.cli(port: source, ["cluster", "getkeysinslot", "\(slot)", "100"])
            .split(separator: "\n").filter { !$0.contains("(empty") }.map { String($0.drop { $0 != " " }.dropFirst()) }
        let index = try #require(keys.first { $0.hasSuffix(":sessions") })
        let first = try #require(keys.first { $0.hasSuffix(grants[0].session.id) })
        try await cluster.migrateKeys([index, first], slot: slot, from: source, to: target)

        let refusedBefore = try await cluster.tryAgainCount(port: source) + cluster.tryAgainCount(port: target)
        async let created = store.createSession(
            NewSession(userID: user, device: DeviceInfo(name: "d"), policy: limited)
        )
        async let listed = store.sessions(userID: user)
        let secondToken = grants[1].refreshToken.text
        async let rotated = store.rotate(refreshToken: secondToken)
        // The calls are retrying against the half-migrated slot: the nodes have refused them (TRYAGAIN) three times.
        let retrying = try await TestTiming.eventually {
            try await cluster.tryAgainCount(port: source) + cluster.tryAgainCount(port: target) >= refusedBefore + 3
        }
        #expect(retrying, "the calls never met the half-migrated slot")
        let rest = try await cluster.cli(port: source, ["cluster", "getkeysinslot", "\(slot)", "100"])
            .split(separator: "\n").filter { !$0.contains("(empty") }.map { String($0.drop { $0 != " " }.dropFirst()) }
        try await cluster.migrateKeys(rest, slot: slot, from: source, to: target)
        try await cluster.finishSlotMigration(slot, from: source, to: target)

        let new = try await created
        #expect(try await listed.count >= 3)
        guard case .rotated = try await rotated else {
            Issue.record("the refresh token of a live session was not rotated")
            return
        }
        #expect(
            Set(try await store.sessions(userID: user).map(\.id)) == Set(grants.map(\.session.id) + [new.session.id])
        )
        #expect(try await store.logOutEverywhere(userID: user, retention: .seconds(60)) == 4)
        #expect(try await store.sessions(userID: user).isEmpty)
        await client.shutdown()
    }
}
