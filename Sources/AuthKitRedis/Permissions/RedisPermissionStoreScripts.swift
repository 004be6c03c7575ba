import RedisClient

/// The Lua scripts behind ``RedisPermissionStore``. Each touches only the user's own hash, so each runs on the
/// user's cluster slot; the global version is a separate key read alongside (see the store).
///
/// The user's hash `authkit:{u:<uid>}:perms` has fields `v` (user version), `g` (global version the entry was
/// saved under), `k` (1 known user, 0 unknown), `d` (the permission set's storage encoding) and `x` (entry
/// expiry, server milliseconds). Versions are decimal strings compared as strings (a Lua double cannot hold
/// every 64-bit value).
enum RedisPermissionStoreScripts {
    /// Reads the user's version and, when unexpired, the entry.
    ///
    /// KEYS: user hash. ARGV: none. Returns `{v}` on a miss, `{v, g, k, d}` when an unexpired entry exists.
    static let lookup = RedisScript(
        """
        local h = redis.call('HMGET', KEYS[1], 'v', 'g', 'k', 'd', 'x')
        local v = h[1] or '0'
        if not h[2] or not h[5] then return {v} end
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        if tonumber(h[5]) <= now then return {v} end
        return {v, h[2], h[3], h[4] or ''}
        """
    )

    /// Saves only if the user's version is still the expected one.
    ///
    /// KEYS: user hash. ARGV: expected user version, global version, known (1/0), data, TTL ms. Returns 1 when
    /// saved, 0 otherwise.
    static let save = RedisScript(
        """
        local v = redis.call('HGET', KEYS[1], 'v') or '0'
        if v ~= ARGV[1] then return 0 end
        local ttl = tonumber(ARGV[5])
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
        redis.call('HSET', KEYS[1], 'g', ARGV[2], 'k', ARGV[3], 'd', ARGV[4], 'x', string.format('%.0f', now + ttl))
        if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
        return 1
        """
    )

    /// Drops the entry, records the new version, and keeps the hash at least as long as the retention.
    ///
    /// KEYS: user hash. ARGV: new user version, retention ms. Returns 1.
    static let invalidate = RedisScript(
        """
        redis.call('HDEL', KEYS[1], 'g', 'k', 'd', 'x')
        redis.call('HSET', KEYS[1], 'v', ARGV[1])
        local ttl = tonumber(ARGV[2])
        if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
        return 1
        """
    )
}
