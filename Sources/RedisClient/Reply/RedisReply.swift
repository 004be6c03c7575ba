/// One RESP2 reply from the server, as the caller of `RedisClient.send(_:)` receives it.
///
/// Bulk strings are bytes, not text: use ``string`` to decode UTF-8 or ``bytes`` for the raw value.
public enum RedisReply: Sendable, Hashable {
    /// A simple string such as `OK` or `PONG`.
    case status(String)
    /// An error reply; `RedisClient.send(_:)` throws these as ``RedisError/Code/server`` instead of returning them,
    /// but they appear inside arrays (for example in `EXEC` results).
    case error(String)
    /// A signed 64-bit integer.
    case integer(Int64)
    /// A binary-safe bulk string.
    case bulk([UInt8])
    /// The null bulk string or null array (a missing key, a `SET … NX` that did not set).
    case null
    /// An array of replies, possibly nested.
    case array([RedisReply])
}

extension RedisReply {
    /// Whether the reply is the null bulk string or null array.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The text of a bulk string (decoded as UTF-8, invalid sequences repaired) or of a status reply.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    /// The bytes of a bulk string, or the UTF-8 bytes of a status reply.
    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let bytes): bytes
        case .status(let text): Array(text.utf8)
        default: nil
        }
    }

    /// The value of an integer reply, or of a bulk string that holds a decimal integer (as `GET` of a counter does).
    public var integer: Int64? {
        switch self {
        case .integer(let value): value
        case .bulk(let bytes): Int64(String(decoding: bytes, as: UTF8.self))
        default: nil
        }
    }

    /// The elements of an array reply.
    public var array: [RedisReply]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The message of an error reply.
    public var errorMessage: String? {
        if case .error(let message) = self { return message }
        return nil
    }
}

extension RedisReply: CustomStringConvertible {
    /// The text shown when the value is printed or logged.
    public var description: String {
        switch self {
        case .status(let text): "+\(text)"
        case .error(let message): "-\(message)"
        case .integer(let value): ":\(value)"
        case .bulk(let bytes): "$\(bytes.count) \"\(String(decoding: bytes.prefix(64), as: UTF8.self))\""
        case .null: "(null)"
        case .array(let elements): "[\(elements.map(\.description).joined(separator: ", "))]"
        }
    }
}
