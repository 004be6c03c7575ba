/// A command written (or about to be written) on a connection, waiting for its reply.
struct PendingCommand {
    /// Monotonic nanoseconds after which the command fails with a timeout.
    var deadline: UInt64
    /// Receives the reply or the failure, exactly once, on the loop thread.
    var completion: @Sendable (Result<RedisReply, RedisError>) -> Void
}
