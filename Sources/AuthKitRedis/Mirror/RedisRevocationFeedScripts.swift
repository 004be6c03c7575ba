import RedisClient

// The script a revocation mirror polls the feed with. The entries are written by the token store's scripts
// (`feed` in RedisTokenStoreScripts' prelude); the format both follow: Documentation/RevocationMirror.md#the-feed.
enum RedisRevocationFeedScripts {
    /// Reads the feed after a position, or begins it.
    ///
    /// KEYS: the feed. ARGV: the id of the last entry read (`0-0`: none), the most entries to return, now (the
    /// mirror's clock, in milliseconds).
    /// Returns {'began'} when there was no feed: it now begins with an entry `k b t <now>`, which writers see and
    /// append after. Otherwise {'entries', entries-added (XINFO STREAM: every entry ever added, trimmed ones
    /// included), the number of entries returned, the entries}: each entry is its id, its number of fields and
    /// values, then those, every one of them as `<length>:<bytes>`, all in one string (a reply of one value
    /// whatever the batch).
    static let poll = RedisScript(
        #"""
        if redis.call('EXISTS', KEYS[1]) == 0 then
          redis.call('XADD', KEYS[1], '*', 'k', 'b', 't', ARGV[3])
          return {'began'}
        end
        local info = redis.call('XINFO', 'STREAM', KEYS[1])
        local added = -1
        for i = 1, #info, 2 do
          if info[i] == 'entries-added' then added = info[i + 1] end
        end
        local entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', tonumber(ARGV[2]))
        local out = {}
        local function put(s) out[#out + 1] = #s .. ':' .. s end
        for _, e in ipairs(entries) do
          put(e[1])
          put(tostring(#e[2]))
          for _, v in ipairs(e[2]) do put(v) end
        end
        return {'entries', added, #entries, table.concat(out)}
        """#
    )
}
