/// One message received on a subscribed channel.
public struct RedisPubSubMessage: Sendable, Hashable {
    /// The channel the message was published on.
    public var channel: String
    /// The published bytes.
    public var payload: [UInt8]

    /// Creates a message.
    public init(channel: String, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }

    /// The payload decoded as UTF-8.
    public var text: String { String(decoding: payload, as: UTF8.self) }
}
