/// Which arguments of a command are keys, so that a cluster client can route the command to the node that owns
/// their slot and refuse a multi-key command whose keys live in different slots before sending anything.
///
/// Covers every command whose keys are not simply its first argument (multi-key commands, `numkeys` forms such as
/// EVAL and ZUNIONSTORE, XREAD's STREAMS, MSET's pairs, subcommands such as OBJECT ENCODING) and every common
/// command that has no key. Any other command is taken to have its first argument as its only key, which is the
/// shape of most commands; a guess that is wrong for an unusual command only sends it to some node, which answers
/// MOVED (followed) or runs it.
enum CommandKeys {
    /// The indices in `arguments` (the command name at 0) of the keys of command `name` (uppercased): empty for a
    /// command without keys.
    static func indices(_ name: String, _ arguments: [RedisArgument]) -> [Int] {
        let count = arguments.count
        switch name {
        case _ where keyless.contains(name):
            return []
        case "DEL", "UNLINK", "EXISTS", "TOUCH", "MGET", "WATCH", "SINTER", "SUNION", "SDIFF", "SINTERSTORE",
            "SUNIONSTORE", "SDIFFSTORE", "PFCOUNT", "PFMERGE", "RENAME", "RENAMENX":
            return Array(1..<max(count, 1))
        case "MSET", "MSETNX":
            return Array(stride(from: 1, to: count, by: 2))
        case "COPY", "SMOVE", "RPOPLPUSH", "LMOVE", "BLMOVE", "BRPOPLPUSH", "LCS", "GEOSEARCHSTORE":
            return Array(1..<min(3, max(count, 1)))
        case "BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX":
            return Array(1..<max(count - 1, 1))
        case "BITOP":
            return Array(2..<max(count, 2))
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            return numberedKeys(arguments, countAt: 2)
        case "ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD", "SINTERCARD", "LMPOP", "ZMPOP":
            return numberedKeys(arguments, countAt: 1)
        case "BLMPOP", "BZMPOP":
            return numberedKeys(arguments, countAt: 2)
        case "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE":
            return (count > 1 ? [1] : []) + numberedKeys(arguments, countAt: 2)
        case "XREAD", "XREADGROUP":
            return streamKeys(arguments)
        case "OBJECT", "MEMORY", "XINFO":
            // OBJECT ENCODING key, MEMORY USAGE key, XINFO STREAM key; MEMORY STATS and the like have none.
            guard count > 2,
                !["HELP", "STATS", "DOCTOR", "MALLOC-STATS", "PURGE"].contains(arguments[1].uppercasedName)
            else { return [] }
            return [2]
        default:
            return count > 1 ? [1] : []
        }
    }

    /// The one slot of every key of the command `name` (uppercased), or `nil` for a command without keys.
    /// - Throws: ``RedisError/Code/crossSlot`` when its keys hash to different slots, which no cluster node runs.
    static func slot(_ name: String, _ arguments: [RedisArgument]) throws(RedisError) -> Int? {
        var slot: Int?
        for index in indices(name, arguments) {
            let next = arguments[index].hashSlot
            if let slot, slot != next {
                throw crossSlot(name, arguments[index])
            }
            slot = next
        }
        return slot
    }

    /// The error for a command, script or transaction whose keys span slots.
    static func crossSlot(_ name: String, _ key: RedisArgument) -> RedisError {
        RedisError(
            .crossSlot,
            "the keys of \(name) hash to different cluster slots (first differing key: "
                + "\(String(decoding: key.bytes.prefix(100), as: UTF8.self))); keys used together need the same "
                + "hash tag, such as {user42}:a and {user42}:b"
        )
    }

    /// The keys of a `numkeys` form: the count at `countAt`, then that many keys; nothing when the count is
    /// missing, not a number or runs past the end (the server refuses such a command).
    private static func numberedKeys(_ arguments: [RedisArgument], countAt index: Int) -> [Int] {
        guard index < arguments.count, let number = Int(arguments[index].uppercasedName), number > 0,
            index + number < arguments.count
        else { return [] }
        return Array((index + 1)...(index + number))
    }

    /// XREAD … STREAMS key… id…: the first half of what follows STREAMS.
    private static func streamKeys(_ arguments: [RedisArgument]) -> [Int] {
        guard let streams = arguments.indices.dropFirst().first(where: { arguments[$0].uppercasedName == "STREAMS" })
        else { return [] }
        let rest = arguments.count - streams - 1
        guard rest > 0, rest % 2 == 0 else { return [] }
        return Array((streams + 1)...(streams + rest / 2))
    }

    /// Commands without keys: server, connection and cluster administration, pub/sub on classic channels (which a
    /// cluster broadcasts) and the node-wide key commands (KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHALL), which on a
    /// cluster see one node only.
    private static let keyless: Set<String> = [
        "PING", "ECHO", "INFO", "CONFIG", "CLIENT", "CLUSTER", "COMMAND", "DBSIZE", "FLUSHALL", "FLUSHDB", "TIME",
        "SCRIPT", "FUNCTION", "PUBLISH", "PUBSUB", "DEBUG", "LASTSAVE", "ROLE", "SAVE", "BGSAVE", "BGREWRITEAOF",
        "ACL", "KEYS", "SCAN", "RANDOMKEY", "WAIT", "WAITAOF", "SLOWLOG", "LATENCY", "MODULE", "SWAPDB", "READONLY",
        "READWRITE", "ASKING", "SHUTDOWN", "FAILOVER", "REPLICAOF", "SLAVEOF", "LOLWUT", "MULTI", "EXEC", "DISCARD",
        "UNWATCH", "SENTINEL",
    ]
}
