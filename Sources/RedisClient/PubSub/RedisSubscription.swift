/// The messages of a ``RedisClient/subscribe(_:resubscribe:)`` call, as an `AsyncSequence`.
///
/// The subscription has a connection of its own, reopened and resubscribed after a disconnect (messages published
/// while it is down are lost, as with any Redis pub/sub), or, when made without `resubscribe`, ended by the loss of
/// that connection. Iteration ends when the client shuts down; dropping the sequence or cancelling the iterating
/// task unsubscribes and closes the connection.
public struct RedisSubscription: AsyncSequence, Sendable {
    /// Each element is one published message.
    public typealias Element = RedisPubSubMessage

    let stream: AsyncStream<RedisPubSubMessage>

    /// The iterator over received messages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<RedisPubSubMessage>.AsyncIterator

        /// The next message, or `nil` once the subscription has ended.
        public mutating func next() async -> RedisPubSubMessage? {
            await base.next()
        }
    }

    /// Creates the iterator.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator())
    }
}
