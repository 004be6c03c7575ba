import RedisClient

/// The Lua scripts behind ``RedisRateLimitStore``: one script decides (and charges) every policy of a key at once.
///
/// The arithmetic mirrors `RateLimitCalculator` in the RateLimiter module line for line (same operations in the
/// same order on doubles), and RedisRateLimitDifferentialTests holds the two together. Time is the server's `TIME`
/// in microseconds, exact in a Lua double until the year 2255. Every write is followed, in the same script, by a
/// `PEXPIRE` that covers the longest-lived state in the hash, so no key can exist without a TTL.
enum RedisRateLimitStoreScripts {
    /// Decides every policy of the key at the server's `TIME`; when charge is 1, charges them all if all allow, or
    /// starts the blocks of those that refuse.
    ///
    /// KEYS: the key's hash. ARGV: charge (1/0), cost, policy count, then per policy: name, algorithm (f, s, g),
    /// limit, window µs, burst, block µs (0 = none). Returns per policy: allowed (1/0), limit, remaining,
    /// reset-after µs, retry-after µs (-1 = none).
    static let decide = RedisScript(serverNow + decision)

    /// `decide` at a given instant instead of the server's `TIME`: the same decision text, for tests that drive it
    /// by the clock they drive `RateLimitCalculator` with (RedisRateLimitDifferentialTests).
    ///
    /// KEYS and ARGV as `decide`'s, then one more ARGV: now, in µs since the epoch. Returns as `decide`.
    static let decideAt = RedisScript(givenNow + decision)

    private static let serverNow = """
        local clock = redis.call('TIME')
        local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])

        """

    private static let givenNow = """
        local now = tonumber(ARGV[#ARGV])

        """

    private static let decision = """
        local key = KEYS[1]
        local charge = ARGV[1] == '1'
        local cost = tonumber(ARGV[2])
        local n = tonumber(ARGV[3])
        local fields = {}
        for i = 1, n do
          local name = ARGV[3 + (i - 1) * 6 + 1]
          fields[#fields + 1] = name .. ':s'
          fields[#fields + 1] = name .. ':c'
          fields[#fields + 1] = name .. ':p'
          fields[#fields + 1] = name .. ':b'
          fields[#fields + 1] = name .. ':e'
        end
        local stored = redis.call('HMGET', key, unpack(fields))
        local out = {}
        local charged = {}
        local blocked = {}
        local fresh = {}
        local all = true
        for i = 1, n do
          local a = 3 + (i - 1) * 6
          local alg = ARGV[a + 2]
          local limit = tonumber(ARGV[a + 3])
          local window = tonumber(ARGV[a + 4])
          local burst = tonumber(ARGV[a + 5])
          local block = tonumber(ARGV[a + 6])
          local o = (i - 1) * 5
          local s = tonumber(stored[o + 1]) or 0
          local c = tonumber(stored[o + 2]) or 0
          local p = tonumber(stored[o + 3]) or 0
          local b = tonumber(stored[o + 4]) or 0
          local e = tonumber(stored[o + 5]) or 0
          if e <= now then s, c, p, b, e = 0, 0, 0, 0, 0 end
          local cap = limit
          if alg == 'g' then cap = burst end
          local allowed, remaining, reset, retry
          local ns, nc, np, ne = s, c, p, e
          local wasBlocked = b > now
          if wasBlocked then
            allowed = false
            remaining = 0
            reset = b - now
            retry = b - now
          elseif alg == 'f' then
            local start = now - (now % window)
            local count = 0
            if s == start then count = c end
            allowed = count + cost <= limit
            reset = start + window - now
            local used = count
            if allowed then used = count + cost end
            remaining = math.max(0, limit - used)
            retry = -1
            if not allowed then retry = reset end
            ns, nc, ne = start, count + cost, math.max(start + window, b)
          elseif alg == 's' then
            local start = now - (now % window)
            local current, previous = 0, 0
            if s == start then
              current, previous = c, p
            elseif s == start - window then
              previous = c
            end
            local elapsed = now - start
            local estimate = previous * (window - elapsed) / window + current
            allowed = estimate + cost <= limit
            local used = estimate
            if allowed then used = estimate + cost end
            remaining = math.max(0, math.floor(limit - used))
            local after = current
            if allowed then after = current + cost end
            local resetAt = now
            if after > 0 then resetAt = start + 2 * window elseif previous > 0 then resetAt = start + window end
            reset = resetAt - now
            retry = -1
            if not allowed then
              local room = limit - cost
              local wait
              if current <= room then
                local fraction = 1 - (room - current) / previous
                wait = math.ceil(fraction * window) - elapsed
              else
                local fraction = 1 - room / current
                wait = window - elapsed + math.ceil(fraction * window)
              end
              retry = math.max(1, wait)
            end
            ns, nc, np, ne = start, after, previous, math.max(start + 2 * window, b)
          else
            local interval = window / limit
            local tolerance = interval * burst
            local arrival = math.max(s, now)
            local newArrival = arrival + interval * cost
            local allowAt = newArrival - tolerance
            allowed = allowAt <= now
            local backlog = arrival - now
            if allowed then backlog = newArrival - now end
            remaining = math.max(0, math.floor((tolerance - backlog) / interval))
            reset = math.ceil(backlog)
            retry = -1
            if not allowed then retry = math.max(1, math.ceil(allowAt - now)) end
            ns = math.ceil(newArrival)
            ne = math.max(ns, b)
          end
          if not allowed and not wasBlocked and block > 0 then
            local untilTime = now + block
            blocked[i] = untilTime
            retry = math.max(retry, untilTime - now)
            reset = math.max(reset, untilTime - now)
            remaining = 0
          end
          if not allowed then all = false end
          charged[i] = {ns, nc, np, ne}
          fresh[i] = {s, c, p, e}
          out[#out + 1] = allowed and 1 or 0
          out[#out + 1] = cap
          out[#out + 1] = remaining
          out[#out + 1] = reset
          out[#out + 1] = retry
        end
        if charge then
          local latest = 0
          local writes = {}
          for i = 1, n do
            local name = ARGV[3 + (i - 1) * 6 + 1]
            local st = charged[i]
            if all then
              writes[#writes + 1] = name .. ':s'
              writes[#writes + 1] = string.format('%.0f', st[1])
              writes[#writes + 1] = name .. ':c'
              writes[#writes + 1] = string.format('%.0f', st[2])
              writes[#writes + 1] = name .. ':p'
              writes[#writes + 1] = string.format('%.0f', st[3])
              writes[#writes + 1] = name .. ':e'
              writes[#writes + 1] = string.format('%.0f', st[4])
              latest = math.max(latest, st[4])
            elseif blocked[i] then
              local st0 = fresh[i]
              local e = math.max(st0[4], blocked[i])
              writes[#writes + 1] = name .. ':s'
              writes[#writes + 1] = string.format('%.0f', st0[1])
              writes[#writes + 1] = name .. ':c'
              writes[#writes + 1] = string.format('%.0f', st0[2])
              writes[#writes + 1] = name .. ':p'
              writes[#writes + 1] = string.format('%.0f', st0[3])
              writes[#writes + 1] = name .. ':b'
              writes[#writes + 1] = string.format('%.0f', blocked[i])
              writes[#writes + 1] = name .. ':e'
              writes[#writes + 1] = string.format('%.0f', e)
              latest = math.max(latest, e)
            end
          end
          if #writes > 0 then
            redis.call('HSET', key, unpack(writes))
            local ttl = math.max(1, math.ceil((latest - now) / 1000))
            local current = redis.call('PTTL', key)
            if current < ttl then redis.call('PEXPIRE', key, ttl) end
          end
        end
        return out
        """
}
