/// One binary-safe argument of a Redis command: text, raw bytes or an integer.
///
/// String literals work directly: `client.send(["SET", "key", RedisArgument(bytes)])`.
public struct RedisArgument: Sendable, Hashable, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral {
    enum Storage: Sendable, Hashable {
        case string(String)
        case bytes([UInt8])
    }

    let storage: Storage

    /// Creates an argument from text, sent as its UTF-8 bytes.
    public init(_ string: String) {
        self.storage = .string(string)
    }

    /// Creates an argument from raw bytes, sent unchanged (NUL and any other byte included).
    public init(_ bytes: [UInt8]) {
        self.storage = .bytes(bytes)
    }

    /// Creates an argument from an integer, sent as its decimal text.
    public init(_ value: some BinaryInteger) {
        self.storage = .string(String(value))
    }

    /// Creates an argument from a floating-point number, sent in the text form Redis parses (`inf` for infinity).
    public init(_ value: Double) {
        if value == .infinity {
            self.storage = .string("+inf")
        } else if value == -.infinity {
            self.storage = .string("-inf")
        } else {
            self.storage = .string(String(value))
        }
    }

    /// Creates an argument from a string literal.
    public init(stringLiteral value: String) {
        self.storage = .string(value)
    }

    /// Creates an argument from an integer literal.
    public init(integerLiteral value: Int) {
        self.storage = .string(String(value))
    }

    /// The bytes sent on the wire.
    public var bytes: [UInt8] {
        switch storage {
        case .string(let text): Array(text.utf8)
        case .bytes(let bytes): bytes
        }
    }

    var byteCount: Int {
        switch storage {
        case .string(let text): text.utf8.count
        case .bytes(let bytes): bytes.count
        }
    }

    /// The cluster hash slot of this argument taken as a key.
    var hashSlot: Int {
        switch storage {
        case .string(let text): HashSlot.slot(of: text.utf8)
        case .bytes(let bytes): HashSlot.slot(of: bytes)
        }
    }

    /// The argument as uppercased ASCII text, to recognise a command name.
    var uppercasedName: String {
        switch storage {
        case .string(let text): text.uppercased()
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self).uppercased()
        }
    }
}
