extension RedisClient {
    /// `GET key`: the value, or `nil` when the key does not exist.
    /// - Throws: ``RedisError``.
    package func get(_ key: RedisArgument) async throws -> [UInt8]? {
        let reply = try await send(["GET", key])
        if reply.isNull { return nil }
        return try expect(reply.bytes, reply, "GET")
    }

    /// `SET key value [EX s | PX ms | KEEPTTL] [NX | XX]`: `true` when the value was written, `false` when the
    /// condition prevented it.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func set(
        _ key: RedisArgument,
        value: RedisArgument,
        expiration: RedisExpiration? = nil,
        condition: RedisSetCondition? = nil
    ) async throws -> Bool {
        var command: [RedisArgument] = ["SET", key, value]
        switch expiration {
        case .seconds(let seconds): command += ["EX", RedisArgument(seconds)]
        case .milliseconds(let milliseconds): command += ["PX", RedisArgument(milliseconds)]
        case .keepTTL: command.append("KEEPTTL")
        case nil: break
        }
        switch condition {
        case .ifNotExists: command.append("NX")
        case .ifExists: command.append("XX")
        case nil: break
        }
        return try await !send(command).isNull
    }

    /// `DEL key…`: how many keys were removed.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func del(_ keys: [RedisArgument]) async throws -> Int {
        try await integer(["DEL"] + keys, "DEL")
    }

    /// `EXISTS key…`: how many of the keys exist (a key named twice counts twice).
    /// - Throws: ``RedisError``.
    package func exists(_ keys: [RedisArgument]) async throws -> Int {
        try await integer(["EXISTS"] + keys, "EXISTS")
    }

    /// `EXPIRE key seconds`: `true` when the timeout was set.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func expire(_ key: RedisArgument, seconds: Int64) async throws -> Bool {
        try await integer(["EXPIRE", key, RedisArgument(seconds)], "EXPIRE") == 1
    }

    /// `PEXPIRE key milliseconds`: `true` when the timeout was set.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func pexpire(_ key: RedisArgument, milliseconds: Int64) async throws -> Bool {
        try await integer(["PEXPIRE", key, RedisArgument(milliseconds)], "PEXPIRE") == 1
    }

    /// `TTL key`: seconds to live, -1 without expiry, -2 when the key does not exist.
    /// - Throws: ``RedisError``.
    package func ttl(_ key: RedisArgument) async throws -> Int64 {
        Int64(try await integer(["TTL", key], "TTL"))
    }

    /// `PTTL key`: milliseconds to live, -1 without expiry, -2 when the key does not exist.
    /// - Throws: ``RedisError``.
    package func pttl(_ key: RedisArgument) async throws -> Int64 {
        Int64(try await integer(["PTTL", key], "PTTL"))
    }

    /// `INCRBY key increment`: the value after the increment.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func incrby(_ key: RedisArgument, _ increment: Int64) async throws -> Int64 {
        Int64(try await integer(["INCRBY", key, RedisArgument(increment)], "INCRBY"))
    }

    /// `HSET key field value…`: how many fields were added (not counting updated ones).
    /// - Throws: ``RedisError``.
    @discardableResult
    package func hset(_ key: RedisArgument, fields: [(field: RedisArgument, value: RedisArgument)]) async throws -> Int
    {
        var command: [RedisArgument] = ["HSET", key]
        for (field, value) in fields {
            command += [field, value]
        }
        return try await integer(command, "HSET")
    }

    /// `HGETALL key`: every field (decoded as UTF-8) and its value; empty when the key does not exist.
    /// - Throws: ``RedisError``.
    package func hgetall(_ key: RedisArgument) async throws -> [String: [UInt8]] {
        let reply = try await send(["HGETALL", key])
        let elements = try expect(reply.array, reply, "HGETALL")
        guard elements.count % 2 == 0 else {
            throw RedisError(.protocol, "HGETALL returned an odd number of elements")
        }
        var result: [String: [UInt8]] = [:]
        for index in stride(from: 0, to: elements.count, by: 2) {
            let field = try expect(elements[index].string, elements[index], "HGETALL")
            result[field] = try expect(elements[index + 1].bytes, elements[index + 1], "HGETALL")
        }
        return result
    }

    /// `ZADD key score member…`: how many members were added.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func zadd(_ key: RedisArgument, members: [(score: Double, member: RedisArgument)]) async throws -> Int {
        var command: [RedisArgument] = ["ZADD", key]
        for (score, member) in members {
            command += [RedisArgument(score), member]
        }
        return try await integer(command, "ZADD")
    }

    /// `ZRANGEBYSCORE key min max [LIMIT offset count]`: the members in score order. Bounds are Redis syntax
    /// (`"-inf"`, `"(5"`, `10`).
    /// - Throws: ``RedisError``.
    package func zrangebyscore(
        _ key: RedisArgument,
        min: RedisArgument,
        max: RedisArgument,
        limit: (offset: Int, count: Int)? = nil
    ) async throws -> [[UInt8]] {
        var command: [RedisArgument] = ["ZRANGEBYSCORE", key, min, max]
        if let limit {
            command += ["LIMIT", RedisArgument(limit.offset), RedisArgument(limit.count)]
        }
        let reply = try await send(command)
        return try expect(reply.array, reply, "ZRANGEBYSCORE").map { try expect($0.bytes, $0, "ZRANGEBYSCORE") }
    }

    /// `ZREMRANGEBYSCORE key min max`: how many members were removed.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func zremrangebyscore(_ key: RedisArgument, min: RedisArgument, max: RedisArgument) async throws -> Int {
        try await integer(["ZREMRANGEBYSCORE", key, min, max], "ZREMRANGEBYSCORE")
    }

    /// `PUBLISH channel message`: how many subscribers received it.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func publish(_ channel: RedisArgument, message: RedisArgument) async throws -> Int {
        try await integer(["PUBLISH", channel, message], "PUBLISH")
    }

    /// `SPUBLISH channel message` (Redis 7.0 and later): publishes to the subscribers of a sharded channel
    /// (``subscribe(shardChannels:resubscribe:)``); on a cluster it goes to the primary that owns the channel's slot
    /// and reaches only that shard. Returns how many subscribers received it.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func spublish(_ channel: RedisArgument, message: RedisArgument) async throws -> Int {
        try await integer(["SPUBLISH", channel, message], "SPUBLISH")
    }

    /// `SCAN cursor [MATCH pattern] [COUNT n]`: the next cursor (0 when done) and a batch of keys.
    /// - Throws: ``RedisError``.
    package func scan(
        cursor: UInt64 = 0,
        match: RedisArgument? = nil,
        count: Int? = nil
    ) async throws -> (cursor: UInt64, keys: [[UInt8]]) {
        var command: [RedisArgument] = ["SCAN", RedisArgument(cursor)]
        if let match {
            command += ["MATCH", match]
        }
        if let count {
            command += ["COUNT", RedisArgument(count)]
        }
        let reply = try await send(command)
        guard let parts = reply.array, parts.count == 2, let next = parts[0].string.flatMap({ UInt64($0) }),
            let keys = parts[1].array
        else {
            throw RedisError(.protocol, "unexpected SCAN reply \(reply)")
        }
        return (next, try keys.map { try expect($0.bytes, $0, "SCAN") })
    }

    /// `INFO [section]`: the server's report text.
    /// - Throws: ``RedisError``.
    package func info(_ section: String? = nil) async throws -> String {
        let reply = try await send(section.map { ["INFO", RedisArgument($0)] } ?? ["INFO"])
        return try expect(reply.string, reply, "INFO")
    }

    /// `CONFIG GET pattern`: matching parameters and their values.
    /// - Throws: ``RedisError``.
    package func configGet(_ pattern: String) async throws -> [String: String] {
        let reply = try await send(["CONFIG", "GET", RedisArgument(pattern)])
        let elements = try expect(reply.array, reply, "CONFIG GET")
        var result: [String: String] = [:]
        for index in stride(from: 0, to: elements.count - 1, by: 2) {
            result[try expect(elements[index].string, elements[index], "CONFIG GET")] =
                try expect(elements[index + 1].string, elements[index + 1], "CONFIG GET")
        }
        return result
    }

    /// `CLIENT SETNAME name` on one pooled connection (use ``RedisConfiguration/clientName`` to name them all).
    /// - Throws: ``RedisError``.
    package func clientSetName(_ name: String) async throws {
        try await send(["CLIENT", "SETNAME", RedisArgument(name)])
    }

    /// `PING`: the server's answer, `PONG`.
    /// - Throws: ``RedisError``.
    @discardableResult
    package func ping() async throws -> String {
        let reply = try await send(["PING"])
        return try expect(reply.string, reply, "PING")
    }

    private func integer(_ command: [RedisArgument], _ name: String) async throws -> Int {
        let reply = try await send(command)
        guard case .integer(let value) = reply else {
            throw RedisError(.protocol, "\(name) returned \(reply) instead of an integer")
        }
        return Int(value)
    }

    private func expect<T>(_ value: T?, _ reply: RedisReply, _ name: String) throws(RedisError) -> T {
        guard let value else {
            throw RedisError(.protocol, "\(name) returned an unexpected reply \(reply)")
        }
        return value
    }
}
