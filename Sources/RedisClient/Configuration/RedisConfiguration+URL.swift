extension RedisConfiguration {
    /// Creates a configuration from a URL.
    ///
    /// Accepted forms:
    /// - `redis://[user[:password]@]host[:port][/db][?name=client-name]` — port 6379 by default.
    /// - `rediss://…` — the same over TLS; `?ca=/path/ca.pem&cert=…&key=…&sni=…` set ``RedisTLSConfiguration``.
    /// - `unix:///path/to/redis.sock[?db=N&password=…&user=…&name=…]` (or `redis+unix://`).
    /// - `redis://:password@host` authenticates the default user with a password only.
    ///
    /// User and password may be percent-encoded. Anything else throws ``RedisError/Code/invalidConfiguration``.
    public init(url: String) throws(RedisError) {
        self.init()
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else {
            throw RedisError(.invalidConfiguration, "a Redis URL starts with redis://, rediss:// or unix://")
        }
        let scheme = url[..<colon].lowercased()
        var rest = url[colon...].dropFirst(3)
        var query: [(String, String)] = []
        if let mark = rest.firstIndex(of: "?") {
            query = try Self.parseQuery(rest[rest.index(after: mark)...])
            rest = rest[..<mark]
        }
        if let hash = rest.firstIndex(of: "#") {
            rest = rest[..<hash]
        }
        switch scheme {
        case "redis", "rediss":
            var authority = rest
            var path: Substring = ""
            if let slash = rest.firstIndex(of: "/") {
                authority = rest[..<slash]
                path = rest[rest.index(after: slash)...]
            }
            if let at = authority.lastIndex(of: "@") {
                try applyUserInfo(authority[..<at])
                authority = authority[authority.index(after: at)...]
            }
            let (host, port) = try Self.parseHostPort(authority)
            endpoint = .tcp(host: host, port: port)
            if !path.isEmpty {
                guard let db = Int(path), db >= 0 else {
                    throw RedisError(.invalidConfiguration, "the URL path must be a database index, got '\(path)'")
                }
                database = db
            }
            if scheme == "rediss" {
                tls = RedisTLSConfiguration()
            }
        case "unix", "redis+unix":
            var path = rest
            if let at = rest.lastIndex(of: "@") {
                try applyUserInfo(rest[..<at])
                path = rest[rest.index(after: at)...]
            }
            guard path.hasPrefix("/"), path.count > 1 else {
                throw RedisError(.invalidConfiguration, "a unix:// URL needs an absolute socket path")
            }
            endpoint = .unix(path: try Self.percentDecode(path))
        default:
            throw RedisError(.invalidConfiguration, "unsupported URL scheme '\(scheme)'")
        }
        for (key, value) in query {
            try applyQueryItem(key, value)
        }
        self = try validated()
    }

    private mutating func applyUserInfo(_ info: Substring) throws(RedisError) {
        if let colon = info.firstIndex(of: ":") {
            let user = try Self.percentDecode(info[..<colon])
            username = user.isEmpty ? nil : user
            password = try Self.percentDecode(info[info.index(after: colon)...])
        } else if !info.isEmpty {
            // `redis://secret@host` is the long-standing form for a password without a user.
            password = try Self.percentDecode(info)
        }
    }

    private mutating func applyQueryItem(_ key: String, _ value: String) throws(RedisError) {
        switch key {
        case "db", "database":
            guard let db = Int(value), db >= 0 else {
                throw RedisError(.invalidConfiguration, "db must be a non-negative integer, got '\(value)'")
            }
            database = db
        case "password":
            password = value
        case "user", "username":
            username = value
        case "name", "client_name":
            clientName = value
        case "ca", "cert", "key", "sni":
            guard var settings = tls else {
                throw RedisError(.invalidConfiguration, "'\(key)' is only valid in a rediss:// URL")
            }
            switch key {
            case "ca": settings.caCertificateFile = value
            case "cert": settings.certificateFile = value
            case "key": settings.privateKeyFile = value
            default: settings.serverName = value
            }
            tls = settings
        default:
            throw RedisError(.invalidConfiguration, "unknown URL parameter '\(key)'")
        }
    }

    private static func parseHostPort(_ authority: Substring) throws(RedisError) -> (String, Int) {
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else {
                throw RedisError(.invalidConfiguration, "unterminated IPv6 address in URL")
            }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw RedisError(.invalidConfiguration, "unexpected text after the IPv6 address")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        if host.isEmpty {
            throw RedisError(.invalidConfiguration, "the URL has no host")
        }
        if !authority.hasPrefix("[") && host.contains(":") {
            throw RedisError(.invalidConfiguration, "an IPv6 address in a URL must be in brackets")
        }
        var port = 6379
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else {
                throw RedisError(.invalidConfiguration, "invalid port '\(portText)'")
            }
            port = value
        }
        return (String(host), port)
    }

    private static func parseQuery(_ text: Substring) throws(RedisError) -> [(String, String)] {
        var items: [(String, String)] = []
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = try percentDecode(parts[0])
            let value = parts.count > 1 ? try percentDecode(parts[1]) : ""
            items.append((key, value))
        }
        return items
    }

    static func percentDecode(_ text: Substring) throws(RedisError) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                throw RedisError(.invalidConfiguration, "invalid percent-encoding in URL")
            }
            bytes.append(high << 4 | low)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
