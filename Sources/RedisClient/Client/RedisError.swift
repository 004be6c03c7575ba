/// The error every RedisClient operation throws: a stable ``Code`` saying what went wrong, and a message.
///
/// Codes are values of a struct rather than enum cases so that new codes never break a user's `switch`.
/// Messages never contain a password.
public struct RedisError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure happened.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name.
        public let name: String

        private init(_ name: String) {
            self.name = name
        }

        /// The text shown when the value is printed or logged.
        public var description: String { name }

        /// No connection could be opened: refused, unreachable, name not resolved, connect timeout, or every
        /// connection of the pool is waiting out its reconnect backoff; on a cluster, no node answered for the slot
        /// map or no primary serves the key's slot; behind Sentinel, no Sentinel named a primary that `ROLE`
        /// confirms. The command was not sent.
        public static let connectionFailed = Code("connectionFailed")
        /// The connection carrying the command closed (server gone, reset, or closed after another command on it
        /// failed) before the reply arrived; the command may or may not have been applied.
        public static let connectionClosed = Code("connectionClosed")
        /// The command's deadline passed before its reply arrived; the connection is closed and never reused.
        public static let timeout = Code("timeout")
        /// The server answered with an error reply (`WRONGTYPE …`, `NOSCRIPT …`, `ERR …`); see ``RedisError/message``.
        public static let server = Code("server")
        /// The server sent bytes that are not RESP2, or a reply of the wrong type for a typed helper.
        public static let `protocol` = Code("protocol")
        /// The reply to this command was above ``RedisConfiguration/maxReplyBytes`` or
        /// ``RedisConfiguration/maxReplyElements``: it was skipped unread, and only this command (or pipeline)
        /// failed; the connection and the other commands on it carry on. On a subscription's connection it closes
        /// the connection, since a message cannot be told from a reply.
        public static let replyTooLarge = Code("replyTooLarge")
        /// The TLS handshake, certificate verification or a TLS record failed, or the TLS settings are unusable.
        public static let tls = Code("tls")
        /// AUTH was refused (wrong password, unknown or disabled ACL user) or SELECT / CLIENT SETNAME failed
        /// while a connection was being set up.
        public static let authentication = Code("authentication")
        /// The client was shut down: queued and new commands fail with this code.
        public static let poolShutdown = Code("poolShutdown")
        /// A URL or configuration value is invalid (bad scheme, port, database index, pool size).
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// A command cannot be sent the way it was asked for: a blocking command (BLPOP, XREAD … BLOCK, WAIT …)
        /// in ``RedisClient/pipeline(_:)``, which would hold up every command behind it on the connection, or a
        /// command that would change the state of a shared connection.
        public static let invalidCommand = Code("invalidCommand")
        /// On a cluster: the keys of one multi-key command, script, transaction or sharded subscription hash to
        /// different slots, which no node can serve together. Refused before anything is sent; keys that are used
        /// together need the same hash tag (`{user42}:a`, `{user42}:b`).
        public static let crossSlot = Code("crossSlot")
    }

    /// Which failure happened.
    public let code: Code
    /// A human-readable explanation; for ``Code/server`` the server's error reply itself.
    public let message: String

    /// Creates an error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The first word of a server error (`WRONGTYPE`, `NOSCRIPT`, `ERR`), or `nil` for other codes.
    public var serverErrorPrefix: String? {
        guard code == .server else { return nil }
        return message.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    /// The text shown when the value is printed or logged.
    public var description: String { "\(code.name): \(message)" }
}
