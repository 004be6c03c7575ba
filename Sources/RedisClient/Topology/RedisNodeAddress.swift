/// The TCP address of one Redis node: a cluster node, a Sentinel, or the primary a Sentinel names.
public struct RedisNodeAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host name or IP address (an IPv6 address without brackets).
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with an IPv6 address in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// Parses `host:port`, `[v6]:port` or `host` (then `defaultPort`), as written in URLs and redirections.
    static func parse(_ text: Substring, defaultPort: Int) throws(RedisError) -> RedisNodeAddress {
        var host: Substring
        var portText: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw RedisError(.invalidConfiguration, "unterminated IPv6 address in '\(text)'")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw RedisError(.invalidConfiguration, "unexpected text after the IPv6 address in '\(text)'")
            }
        } else if let colon = text.lastIndex(of: ":") {
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                throw RedisError(.invalidConfiguration, "an IPv6 address must be in brackets: '\(text)'")
            }
        } else {
            host = text
        }
        if host.isEmpty {
            throw RedisError(.invalidConfiguration, "no host in '\(text)'")
        }
        var port = defaultPort
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw RedisError(.invalidConfiguration, "invalid port '\(portText)'")
            }
            port = value
        }
        return RedisNodeAddress(host: String(host), port: port)
    }
}
