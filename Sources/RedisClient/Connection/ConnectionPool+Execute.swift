extension ConnectionPool {
    /// Sends one encoded command on this pool and returns its reply (error replies are returned, not thrown).
    ///
    /// An idle plain connection is written to from the caller's thread; otherwise the command goes through the
    /// loop. A `dedicated` command (a blocking one) gets a connection of its own.
    /// - Throws: ``RedisError``.
    func execute(_ command: [UInt8], deadline: UInt64, dedicated: Bool = false) async throws -> RedisReply {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<RedisReply, any Error>) in
            let completion: @Sendable (Result<RedisReply, RedisError>) -> Void = { continuation.resume(with: $0) }
            if !dedicated && tryDirectWrite(command, deadline: deadline, completion: completion) {
                return
            }
            let accepted = loop.execute {
                if dedicated {
                    self.enqueueDedicated(command, deadline: deadline, completion: completion)
                } else {
                    self.enqueue(command, deadline: deadline, completion: completion)
                }
            }
            if !accepted {
                continuation.resume(throwing: RedisError(.poolShutdown, "the Redis client has been shut down"))
            }
        }
    }

    /// Sends the encoded bytes of `count` commands in one piece on one connection of this pool, in order, and
    /// returns their replies in order once the last is in; a failure of the batch as a whole throws once.
    /// - Throws: ``RedisError``.
    func execute(batch bytes: [UInt8], count: Int, deadline: UInt64) async throws -> [RedisReply] {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[RedisReply], any Error>) in
            let collector = PipelineCollector(count: count) { continuation.resume(with: $0) }
            let pending = (0..<count).map { index in
                PendingCommand(deadline: deadline) { collector.receive($0, at: index) }
            }
            if tryDirectWrite(bytes, commands: pending) {
                return
            }
            let accepted = loop.execute { [bytes] in self.enqueue(bytes, commands: pending) }
            if !accepted {
                continuation.resume(throwing: RedisError(.poolShutdown, "the Redis client has been shut down"))
            }
        }
    }
}
