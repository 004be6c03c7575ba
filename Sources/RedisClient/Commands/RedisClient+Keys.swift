extension RedisClient {
    /// Every key matching `pattern`, by `SCAN cursor MATCH pattern COUNT count` over the whole key space: the one
    /// server, the primary behind Sentinel, or every primary of a cluster (a plain `SCAN` sees one node only).
    ///
    /// For operators, tools and tests: it walks every key of every primary, so it has no place on a request path.
    /// Keys added or removed meanwhile may or may not be in the result, as with `SCAN` itself.
    /// - Throws: ``RedisError``; ``RedisError/Code/protocol`` for a `SCAN` reply of another shape.
    public func scanKeys(matching pattern: String, count: Int = 1000) async throws -> [[UInt8]] {
        var keys: [[UInt8]] = []
        for pool in try await primaryPools() {
            var cursor = "0"
            repeat {
                let command = try CommandEncoder.encode([
                    "SCAN", RedisArgument(cursor), "MATCH", RedisArgument(pattern), "COUNT", RedisArgument(count),
                ])
                let reply = try await pool.execute(
                    command,
                    deadline: Monotonic.deadline(after: configuration.commandTimeout)
                )
                if let message = reply.errorMessage {
                    throw RedisError(.server, message)
                }
                guard let parts = reply.array, parts.count == 2, let next = parts[0].string, let batch = parts[1].array
                else {
                    throw RedisError(.protocol, "unexpected SCAN reply \(reply)")
                }
                keys += batch.compactMap(\.bytes)
                cursor = next
            } while cursor != "0"
        }
        return keys
    }
}
