import RedisClient

// The Lua scripts behind RedisTokenStore: one script per check-and-change, on the keys of one user, every key declared
// in KEYS. Why, and the conventions and invariants they share: Documentation/TokenStore.md#the-lua-scripts
enum RedisTokenStoreScripts {
    private static let prelude = #"""
        local function n(x) return string.format('%.0f', x) end
        -- A stored instant read as the access check reads it (RedisAccessRecords.instant): an optional '-' and 1 to 18
        -- digits, nothing else; nil otherwise.
        local function int(x)
          if type(x) ~= 'string' then return nil end
          local digits = string.match(x, '^%-?(%d+)$')
          if digits and #digits <= 18 then return tonumber(x) end
          return nil
        end
        -- The check key of session `sid`, from the user's session key prefix ('<base>session:' -> '<base>live:<sid>').
        local function liveKey(prefix, sid) return string.sub(prefix, 1, -9) .. 'live:' .. sid end
        local function setLive(key, exp, created, now, margin)
          redis.call('SET', key, n(exp) .. ' ' .. created, 'PX', n(exp - now + margin))
        end
        local function epochAt(key, now)
          local e = redis.call('HMGET', key, 'at', 'until')
          if e[1] and now < tonumber(e[2]) then return tonumber(e[1]) end
          return nil
        end
        local function alive(exp, reuse, created, now, cut)
          if not exp or reuse == '1' or now >= tonumber(exp) then return false end
          return not cut or tonumber(created) > cut
        end
        -- The keys KEYS[first...] as a set: the sessions the script may touch.
        local function declaredFrom(first)
          local keys = {}
          for i = first, #KEYS do keys[KEYS[i]] = true end
          return keys
        end
        local function expireIndex(index, now, margin)
          local last = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
          if #last == 2 then
            local ttl = math.max(1, tonumber(last[2]) - now + margin)
            if redis.call('PTTL', index) < ttl then redis.call('PEXPIRE', index, n(ttl)) end
          end
        end
        local function touch(key, index, live, sid, now, margin, cut)
          local f = redis.call('HMGET', key, 'exp', 'abs', 'idle', 'reuse', 'created')
          if not alive(f[1], f[4], f[5], now, cut) or not redis.call('ZSCORE', index, sid) then return 0 end
          local exp = math.min(now + tonumber(f[3]), tonumber(f[2]))
          redis.call('HSET', key, 'seen', n(now), 'exp', n(exp))
          redis.call('PEXPIRE', key, n(exp - now + margin))
          redis.call('ZADD', index, 'XX', n(exp), sid)
          setLive(live, exp, f[5], now, margin)
          expireIndex(index, now, margin)
          return 1
        end
        -- Appends one entry (its field/value pairs) to the revocation feed `key` when the stream exists — a mirror began
        -- it — in the step that changes the store, so a revocation is never in one without the other. Entries older than
        -- `retention` milliseconds by the server's clock, as their ids are, are trimmed. On a cluster, where the stream
        -- is its slot's (`<prefix>feed:{<tag>}`), the script announces it on `<prefix>feed`: Redis writes the message to
        -- this node's subscribers now, before any later command here, which is what a cluster mirror's proof rests on.
        local function feed(key, retention, ...)
          if redis.call('EXISTS', key) == 0 then return end
          local t = redis.call('TIME')
          local minid = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - retention
          redis.call('XADD', key, 'MINID', n(math.max(minid, 0)), '*', ...)
          local channel = string.match(key, '^(.*):{[^}]*}$')
          if channel then redis.call('PUBLISH', channel, key) end
        end
        local function feedEnded(key, retention, user, sid, now)
          feed(key, retention, 'k', 's', 'u', user, 's', sid, 't', n(now))
        end

        """#

    /// KEYS: revoked key, revocation feed. ARGV: now, end of the entry (the token's expiry plus the revocation leeway),
    /// margin, user id, jti, feed retention. Returns 1 when an entry was written.
    static let revoke = RedisScript(
        prelude + #"""
            local now, exp, margin = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
            if exp <= now then return 0 end
            local current = tonumber(redis.call('GET', KEYS[1]) or '')
            if current and current > exp then exp = current end
            redis.call('SET', KEYS[1], n(exp), 'PX', n(exp - now + margin))
            feed(KEYS[2], tonumber(ARGV[6]), 'k', 'r', 'u', ARGV[4], 'j', ARGV[5], 'x', n(exp))
            return 1
            """#
    )

    /// The access check that touches the session (`AccessCheck.touchSession`), as one script: it reads the full
    /// records the check needs and returns them, as read before any write, for `AccessRecords.status` to judge in
    /// Swift; and it touches the session when that verdict will be `valid` (`honoured`, the rule repeated here only
    /// to guard the write, held to the Swift rule by RedisAccessCheckPathsTests) and the session is in the index.
    ///
    /// KEYS: revoked key, epoch, session, sessions index, the session's check key. ARGV: now, epoch cutoff
    /// (`AccessCheck.epochCutoff`), has jti, has sid, touch, margin, sid.
    /// Returns {denylist entry, epoch at, epoch until, session exp, session reuse, session created}, each nil when
    /// absent (or not asked for).
    static let check = RedisScript(
        prelude + #"""
            -- Whether AccessRecords.status would answer valid for these values; any value it could not read is not.
            local function honoured(revoked, e, s, now, cutoff)
              if revoked then
                local r = int(revoked)
                if not r or now < r then return false end
              end
              local cut = nil
              if e[1] or e[2] then
                local at, keep = int(e[1]), int(e[2])
                if not at or not keep then return false end
                if now < keep then cut = at end
              end
              if cut and cutoff <= cut then return false end
              local exp, created = int(s[1]), int(s[3])
              if not exp or not created or s[2] or now >= exp then return false end
              return not cut or created > cut
            end
            local now, cutoff, margin = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[6])
            local revoked = false
            if ARGV[3] == '1' then revoked = redis.call('GET', KEYS[1]) end
            local e = redis.call('HMGET', KEYS[2], 'at', 'until')
            local s = {false, false, false}
            if ARGV[4] == '1' then s = redis.call('HMGET', KEYS[3], 'exp', 'reuse', 'created') end
            if ARGV[4] == '1' and ARGV[5] == '1' and honoured(revoked, e, s, now, cutoff) then
              touch(KEYS[3], KEYS[4], KEYS[5], ARGV[7], now, margin, epochAt(KEYS[2], now))
            end
            return {revoked, e[1], e[2], s[1], s[2], s[3]}
            """#
    )

    /// Ends the sessions in the index (at most `bound`) whose keys were given; reuse tombstones stay, and so do
    /// sessions added to the index after it was read (logins after the call began).
    ///
    /// KEYS: sessions index, epoch, epoch check key, revocation feed, then the keys of every session in the index as
    /// read before (hash and check key). ARGV: now, session key prefix, margin, epoch retained until (0: leave the
    /// epoch alone), bound, user id, feed retention. Returns the number of sessions that were alive (under the epoch as it was before this call).
    static let endSessions = RedisScript(
        prelude + #"""
            local now, prefix, margin, retain = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
            local bound, user, retention = tonumber(ARGV[5]), ARGV[6], tonumber(ARGV[7])
            local declared = declaredFrom(5)
            local cut = epochAt(KEYS[2], now)
            if retain > 0 then
              local at, keep = now, retain
              local e = redis.call('HMGET', KEYS[2], 'at', 'until')
              if e[1] and now < tonumber(e[2]) then
                at = math.max(tonumber(e[1]), now)
                keep = math.max(tonumber(e[2]), retain)
              end
              redis.call('HSET', KEYS[2], 'at', n(at), 'until', n(keep))
              redis.call('PEXPIRE', KEYS[2], n(keep - now + margin))
              redis.call('SET', KEYS[3], n(at) .. ' ' .. n(keep), 'PX', n(keep - now + margin))
              feed(KEYS[4], retention, 'k', 'e', 'u', user, 'a', n(at), 'x', n(keep))
            end
            local count = 0
            for _, sid in ipairs(redis.call('ZRANGE', KEYS[1], 0, bound - 1)) do
              local key = prefix .. sid
              if declared[key] then
                local f = redis.call('HMGET', key, 'exp', 'reuse', 'created')
                if f[2] ~= '1' then
                  if alive(f[1], f[2], f[3], now, cut) then
                    count = count + 1
                    feedEnded(KEYS[4], retention, user, sid, now)
                  end
                  redis.call('DEL', key)
                end
                redis.call('DEL', liveKey(prefix, sid))
                redis.call('ZREM', KEYS[1], sid)
              end
            end
            return count
            """#
    )

    /// Creates a session. It is recorded as created after the user's epoch even when this clock has not passed it:
    /// the script runs after the logout that set it, so the login is a new one (its tokens still answer to the epoch
    /// by their own `iat`).
    ///
    /// KEYS: sessions index, epoch, the new session's key and check key, revocation feed, then the keys of every
    /// session in the index as read before (hash and check key). ARGV: now, session id, digest, name, ip, user agent,
    /// absolute, idle, grace, max sessions, refuse (1) or evict (0), margin, session key prefix, bound, claims, user
    /// id, feed retention.
    /// Returns {1, created, ended ids...}, {0, limit} when the login is refused, or status RETRY (nothing changed)
    /// when the limit would evict a session added to the index after it was read (its key is not in KEYS).
    static let createSession = RedisScript(
        prelude + #"""
            local now, sid, prefix = tonumber(ARGV[1]), ARGV[2], ARGV[13]
            local max, refuse, margin = tonumber(ARGV[10]), ARGV[11] == '1', tonumber(ARGV[12])
            local bound, user, retention = tonumber(ARGV[14]), ARGV[16], tonumber(ARGV[17])
            local declared = declaredFrom(6)
            local cut = epochAt(KEYS[2], now)
            local rows, stale, unseen = {}, {}, 0
            local members = redis.call('ZRANGE', KEYS[1], 0, bound - 1, 'WITHSCORES')
            for i = 1, #members, 2 do
              local other = members[i]
              if declared[prefix .. other] then
                local f = redis.call('HMGET', prefix .. other, 'created', 'exp', 'reuse')
                if alive(f[2], f[3], f[1], now, cut) then
                  table.insert(rows, {tonumber(f[1]), other})
                else
                  table.insert(stale, {other, f[3]})
                end
              elseif now < tonumber(members[i + 1]) then
                unseen = unseen + 1
              end
            end
            if not refuse and #rows + unseen >= max and unseen >= max then
              return redis.status_reply('RETRY')
            end
            for _, s in ipairs(stale) do
              if s[2] ~= '1' then redis.call('DEL', prefix .. s[1]) end
              redis.call('DEL', liveKey(prefix, s[1]))
              redis.call('ZREM', KEYS[1], s[1])
            end
            local created = now
            if cut and cut >= now then created = cut + 1 end
            local result = {1, n(created)}
            if #rows + unseen >= max then
              if refuse then return {0, max} end
              table.sort(rows, function(a, b)
                if a[1] ~= b[1] then return a[1] < b[1] end
                return a[2] < b[2]
              end)
              for i = 1, #rows + unseen - max + 1 do
                redis.call('DEL', prefix .. rows[i][2], liveKey(prefix, rows[i][2]))
                redis.call('ZREM', KEYS[1], rows[i][2])
                feedEnded(KEYS[5], retention, user, rows[i][2], now)
                table.insert(result, rows[i][2])
              end
            end
            local abs = now + tonumber(ARGV[7])
            local exp = math.min(now + tonumber(ARGV[8]), abs)
            local key = KEYS[3]
            redis.call('HSET', key, 'name', ARGV[4], 'ip', ARGV[5], 'ua', ARGV[6], 'created', n(created), 'seen', n(now),
              'exp', n(exp), 'abs', n(abs), 'idle', ARGV[8], 'grace', ARGV[9], 'cur', ARGV[3], 'claims', ARGV[15])
            redis.call('PEXPIRE', key, n(exp - now + margin))
            setLive(KEYS[4], exp, n(created), now, margin)
            redis.call('ZADD', KEYS[1], n(exp), sid)
            expireIndex(KEYS[1], now, margin)
            return result
            """#
    )

    /// Rotates a refresh token, or says what rotating it would do: one script, so that `TokenStore.inspect` follows
    /// the rotation rules exactly.
    ///
    /// KEYS: session, sessions index, epoch, session check key, revocation feed. ARGV: now, presented digest, next
    /// digest, history size, margin, session id, inspect ('1': only say what rotating would do, and write nothing),
    /// user id, feed retention.
    /// Returns {'rotated', expiry, absolute expiry, '1' if a grace retry, claims}, {'reuse'} or {'invalid'}; when
    /// inspecting, {'active', expiry, absolute expiry, '1' if a grace retry, claims} instead of 'rotated'.
    static let rotate = RedisScript(
        prelude + #"""
            local now, presented, nextDigest = tonumber(ARGV[1]), ARGV[2], ARGV[3]
            local history, margin, sid = tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
            local inspect = ARGV[7] == '1'
            local f = redis.call('HMGET', KEYS[1], 'exp', 'abs', 'idle', 'grace', 'cur', 'prev', 'rot', 'old', 'reuse',
              'created', 'claims')
            if not f[1] then return {'invalid'} end
            if now >= tonumber(f[1]) then return {'invalid'} end
            local current, previous, old = f[5], f[6], f[8] or ''
            local function retired(digest)
              if previous and previous == digest then return true end
              for i = 1, #old, 32 do
                if string.sub(old, i, i + 31) == digest then return true end
              end
              return false
            end
            if f[9] == '1' then
              if current == presented or retired(presented) then return {'reuse'} end
              return {'invalid'}
            end
            if not alive(f[1], f[9], f[10], now, epochAt(KEYS[3], now)) or not redis.call('ZSCORE', KEYS[2], sid) then
              return {'invalid'}
            end
            local function retire(digest)
              old = old .. digest
              if #old > history * 32 then old = string.sub(old, #old - history * 32 + 1) end
            end
            local rotatedAt = tonumber(f[7] or '')
            local isCurrent = current == presented
            local isGrace = not isCurrent and previous and previous == presented and rotatedAt
              and now < rotatedAt + tonumber(f[4])
            local grace = '0'
            if not isCurrent then grace = '1' end
            if inspect then
              if isCurrent or isGrace then return {'active', f[1], f[2], grace, f[11] or ''} end
              if retired(presented) then return {'reuse'} end
              return {'invalid'}
            end
            if isCurrent then
              if previous then retire(previous) end
              redis.call('HSET', KEYS[1], 'prev', current, 'rot', n(now))
            elseif isGrace then
              retire(current)
            elseif retired(presented) then
              redis.call('HSET', KEYS[1], 'reuse', '1')
              redis.call('DEL', KEYS[4])
              redis.call('ZREM', KEYS[2], sid)
              expireIndex(KEYS[2], now, margin)
              feedEnded(KEYS[5], tonumber(ARGV[9]), ARGV[8], sid, now)
              return {'reuse'}
            else
              return {'invalid'}
            end
            local abs = tonumber(f[2])
            local exp = math.min(now + tonumber(f[3]), abs)
            redis.call('HSET', KEYS[1], 'cur', nextDigest, 'old', old, 'seen', n(now), 'exp', n(exp))
            redis.call('PEXPIRE', KEYS[1], n(exp - now + margin))
            redis.call('ZADD', KEYS[2], 'XX', n(exp), sid)
            setLive(KEYS[4], exp, f[10], now, margin)
            expireIndex(KEYS[2], now, margin)
            return {'rotated', n(exp), n(abs), grace, f[11] or ''}
            """#
    )

    /// KEYS: session, sessions index, epoch, session check key. ARGV: now, margin, session id. Returns 1 when the
    /// session was alive.
    static let touchSession = RedisScript(
        prelude + #"""
            local now = tonumber(ARGV[1])
            local cut = epochAt(KEYS[3], now)
            return touch(KEYS[1], KEYS[2], KEYS[4], ARGV[3], now, tonumber(ARGV[2]), cut)
            """#
    )

    /// KEYS: session, sessions index, epoch, session check key, revocation feed. ARGV: now, margin, session id, user
    /// id, feed retention. Returns 1 when a live session was ended.
    static let revokeSession = RedisScript(
        prelude + #"""
            local now, margin = tonumber(ARGV[1]), tonumber(ARGV[2])
            local f = redis.call('HMGET', KEYS[1], 'exp', 'reuse', 'created')
            if not alive(f[1], f[2], f[3], now, epochAt(KEYS[3], now)) then return 0 end
            redis.call('DEL', KEYS[1], KEYS[4])
            redis.call('ZREM', KEYS[2], ARGV[3])
            expireIndex(KEYS[2], now, margin)
            feedEnded(KEYS[5], tonumber(ARGV[5]), ARGV[4], ARGV[3], now)
            return 1
            """#
    )

    /// KEYS: sessions index, epoch, then the key of every session in the index as read before. ARGV: now, session
    /// key prefix, bound. Returns, for each live session given in KEYS among the first `bound` of the index, its id
    /// followed by name, ip, ua, created, seen, exp, abs — a flat array of groups of eight. Sessions added to the
    /// index after it was read are not listed. Reads only.
    static let listSessions = RedisScript(
        prelude + #"""
            local now, prefix, bound = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
            local declared = declaredFrom(3)
            local cut = epochAt(KEYS[2], now)
            local result = {}
            for _, sid in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. n(now), '+inf', 'LIMIT', 0, bound)) do
              if declared[prefix .. sid] then
                local f = redis.call('HMGET', prefix .. sid, 'name', 'ip', 'ua', 'created', 'seen', 'exp', 'abs', 'reuse')
                if alive(f[6], f[8], f[4], now, cut) then
                  table.insert(result, sid)
                  for i = 1, 7 do table.insert(result, f[i]) end
                end
              end
            end
            return result
            """#
    )
}
