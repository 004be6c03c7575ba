import AuthKitClock
public import PermissionCache
public import RedisClient

/// A `PermissionStore` in Redis, shared by every process that uses the same server and key prefix.
///
/// A user's entry and version live in one hash, `authkit:{u:<uid>}:perms`, changed only by Lua scripts on that
/// user's slot. `invalidateAll` replaces the random value of `authkit:{global}:perms-version` (one `SET … PX`,
/// its TTL renewed each time so it outlives every entry); a lookup reads that key alongside the user's hash and
/// treats an entry saved under another global version as a miss. The two reads are separate commands sent at the
/// same time, never one pipeline or script: `{global}` and the user's tag are different slots, which on a Redis
/// Cluster live on different primaries, and the client routes each to its own.
public final class RedisPermissionStore: PermissionStore {
    /// The client the store sends its commands through.
    public let client: RedisClient
    /// The prefix of every key (default `authkit:`).
    public let keyPrefix: String
    /// How long a user's changed version is kept after `invalidate`: longer than any loader call may take.
    public let versionRetention: Duration
    /// How long the global version key lives after each `invalidateAll`; entry TTLs are capped to it.
    public let globalVersionRetention: Duration

    /// Creates a store over `client`.
    ///
    /// Both retentions become TTLs in Redis, so each must be at least one millisecond: a retention of zero would
    /// delete the version `invalidate` just wrote (letting a load that raced it be cached), and one under a
    /// millisecond would make every `invalidateAll` fail. Otherwise this throws
    /// `PermissionCacheError.Code.invalidConfiguration`.
    public init(
        client: RedisClient,
        keyPrefix: String = "authkit:",
        versionRetention: Duration = .seconds(600),
        globalVersionRetention: Duration = .seconds(30 * 86_400)
    ) throws(PermissionCacheError) {
        try PermissionCacheConfiguration.checkTTL(versionRetention, "the version retention")
        try PermissionCacheConfiguration.checkTTL(globalVersionRetention, "the global version retention")
        self.client = client
        self.keyPrefix = keyPrefix
        self.versionRetention = versionRetention
        self.globalVersionRetention = globalVersionRetention
    }

    /// The Redis key of `user`'s cached permissions.
    public func redisKey(for user: String) -> String {
        PermissionRedisKeys.user(prefix: keyPrefix, user: user)
    }

    /// Implements `PermissionStore.lookup(user:)`; see the protocol for the contract.
    public func lookup(user: String) async throws -> PermissionLookup {
        let userKey = RedisArgument(redisKey(for: user))
        let globalKey = RedisArgument(PermissionRedisKeys.globalVersion(prefix: keyPrefix))
        let globalReply: RedisReply
        let userReply: RedisReply
        do {
            async let global = client.send("GET", globalKey)
            async let fields = client.eval(RedisPermissionStoreScripts.lookup, keys: [userKey])
            (globalReply, userReply) = try await (global, fields)
        } catch {
            throw PermissionCacheError(.storeUnavailable, "Redis permission lookup failed: \(error)")
        }
        let global = globalReply.string ?? "0"
        guard let fields = userReply.array?.map({ $0.string ?? "" }), let userVersion = fields.first else {
            throw PermissionCacheError(.corruptEntry, "Redis permission lookup returned an unexpected reply")
        }
        let version = PermissionVersion(user: UInt64(userVersion) ?? 0, global: UInt64(global) ?? 0)
        guard fields.count == 4, fields[1] == global else {
            return PermissionLookup(entry: nil, version: version)
        }
        let entry =
            fields[2] == "1"
            ? PermissionEntry(permissions: try PermissionSet(storageEncoding: fields[3])) : .unknownUser
        return PermissionLookup(entry: entry, version: version)
    }

    /// Implements `PermissionStore.save(_:for:ttl:ifVersion:)`; see the protocol for the contract.
    public func save(
        _ entry: PermissionEntry,
        for user: String,
        ttl: Duration,
        ifVersion version: PermissionVersion
    ) async throws -> Bool {
        let milliseconds = Self.milliseconds(min(ttl, globalVersionRetention))
        guard milliseconds > 0 else { return false }
        do {
            let reply = try await client.eval(
                RedisPermissionStoreScripts.save,
                keys: [RedisArgument(redisKey(for: user))],
                arguments: [
                    RedisArgument(String(version.user)), RedisArgument(String(version.global)),
                    entry.permissions == nil ? "0" : "1",
                    RedisArgument(entry.permissions?.storageEncoding ?? ""), RedisArgument(milliseconds),
                ]
            )
            return reply.integer == 1
        } catch {
            throw PermissionCacheError(.storeUnavailable, "Redis permission save failed: \(error)")
        }
    }

    /// Implements `PermissionStore.invalidate(user:)`; see the protocol for the contract.
    public func invalidate(user: String) async throws {
        do {
            try await client.eval(
                RedisPermissionStoreScripts.invalidate,
                keys: [RedisArgument(redisKey(for: user))],
                arguments: [
                    RedisArgument(String(UInt64.random(in: 1...UInt64.max))),
                    RedisArgument(Self.milliseconds(versionRetention)),
                ]
            )
        } catch {
            throw PermissionCacheError(.storeUnavailable, "Redis permission invalidation failed: \(error)")
        }
    }

    /// Implements `PermissionStore.invalidateAll()`; see the protocol for the contract.
    public func invalidateAll() async throws {
        do {
            try await client.send(
                "SET",
                RedisArgument(PermissionRedisKeys.globalVersion(prefix: keyPrefix)),
                RedisArgument(String(UInt64.random(in: 1...UInt64.max))),
                "PX",
                RedisArgument(Self.milliseconds(globalVersionRetention))
            )
        } catch {
            throw PermissionCacheError(.storeUnavailable, "Redis invalidate-all failed: \(error)")
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.ttl(in: .milliseconds)
    }
}
