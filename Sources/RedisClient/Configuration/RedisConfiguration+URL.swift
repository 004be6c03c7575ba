extension RedisConfiguration {
    /// Creates a configuration from a URL.
    ///
    /// Accepted forms:
    /// - `redis://[user[:password]@]host[:port][/db][?name=client-name]` — port 6379 by default.
    /// - `rediss://…` — the same over TLS; `?ca=/path/ca.pem&cert=…&key=…&sni=…` set ``RedisTLSConfiguration``.
    /// - `unix:///path/to/redis.sock[?db=N&password=…&user=…&name=…]` (or `redis+unix://`).
    /// - `redis://:password@host` authenticates the default user with a password only.
    /// - `redis-cluster://[user[:password]@]host:port[,host:port…][?…]` — a Redis Cluster reached through these seed
    ///   nodes (port 6379 by default); `rediss-cluster://` over TLS. See ``RedisTopology/cluster(_:)``.
    /// - `redis-sentinel://[user[:password]@]host:port[,host:port…]/primary-name[?db=N]` — the primary that these
    ///   Sentinels (port 26379 by default) monitor under that name; `rediss-sentinel://`
    ///   over TLS, to the Sentinels and the primary. The user and password are the primary's; the Sentinels'
    ///   own are `sentinel_user` and `sentinel_password`. See ``RedisTopology/sentinel(_:)``.
    ///
    /// User and password may be percent-encoded. Anything else throws ``RedisError/Code/invalidConfiguration``,
    /// whose message shows nothing of a URL that carries credentials.
    public init(url: String) throws(RedisError) {
        self.init()
        do {
            try apply(url: url)
            self = try validated()
        } catch {
            throw Self.redacting(error, of: url)
        }
    }

    /// The error `error`, about `url`, with nothing of the URL's credentials in its message. A URL with user info
    /// (`@`) or a password parameter has every quoted part of the message masked, and any longer run of its user
    /// info too: a stray `/`, `?` or `#` in a password cuts it apart, and the parser then takes a piece of it for
    /// a host, port or path.
    static func redacting(_ error: RedisError, of url: String) -> RedisError {
        let lowered = url.lowercased()
        guard url.contains("@") || lowered.contains("password=") else { return error }
        var message = ""
        var quoted = false
        for character in error.message {
            if character == "'" {
                message += quoted ? "***'" : "'"
                quoted.toggle()
            } else if !quoted {
                message.append(character)
            }
        }
        let start = url.firstRange(of: "://").map(\.upperBound) ?? url.startIndex
        let userInfo = url.lastIndex(of: "@").flatMap { $0 >= start ? url[start..<$0] : nil } ?? ""
        let pieces = userInfo.split(whereSeparator: { ":/?#@,&=;[]".contains($0) }).filter { $0.count >= 3 }
        for piece in pieces.sorted(by: { $0.count > $1.count }) {
            message = message.replacing(piece, with: "***")
        }
        return RedisError(error.code, message)
    }

    /// Applies every part of `url` to this configuration (``init(url:)`` validates the result).
    private mutating func apply(url: String) throws(RedisError) {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else {
            throw RedisError(
                .invalidConfiguration,
                "a Redis URL starts with redis://, rediss://, unix://, redis-cluster:// or redis-sentinel://"
            )
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
            let (authority, path) = try applyAuthority(rest)
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
        case "redis-cluster", "rediss-cluster", "redis-sentinel", "rediss-sentinel":
            try applyTopologyURL(rest, cluster: scheme.hasSuffix("cluster"))
            if scheme.hasPrefix("rediss") {
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
    }

    /// The part after `redis-cluster://` or `redis-sentinel://` (query and fragment removed): user info, the
    /// comma-separated nodes, and the path (nothing or `/0` for a cluster, the primary's name for Sentinel).
    private mutating func applyTopologyURL(_ rest: Substring, cluster: Bool) throws(RedisError) {
        let (authority, path) = try applyAuthority(rest)
        var nodes: [RedisNodeAddress] = []
        for part in authority.split(separator: ",", omittingEmptySubsequences: false) {
            nodes.append(try RedisNodeAddress.parse(part, defaultPort: cluster ? 6379 : 26379))
        }
        guard let first = nodes.first else {
            throw RedisError(.invalidConfiguration, "the URL names no node")
        }
        endpoint = .tcp(host: first.host, port: first.port)
        if cluster {
            guard path.isEmpty || path == "0" else {
                throw RedisError(.invalidConfiguration, "a cluster URL has no path but /0, got '/\(path)'")
            }
            topology = .cluster(RedisClusterConfiguration(seeds: nodes))
        } else {
            let name = try Self.percentDecode(path)
            guard !name.isEmpty, !name.contains("/") else {
                throw RedisError(.invalidConfiguration, "a Sentinel URL ends with /primary-name, got '/\(path)'")
            }
            topology = .sentinel(RedisSentinelConfiguration(sentinels: nodes, primaryName: name))
        }
    }

    /// Splits `[user-info@]hosts[/path]`, applies the user info, and returns the hosts and the path.
    private mutating func applyAuthority(_ rest: Substring) throws(RedisError) -> (Substring, Substring) {
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
        return (authority, path)
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
        case "sentinel_user", "sentinel_password":
            guard var sentinel = topology.sentinel else {
                throw RedisError(.invalidConfiguration, "'\(key)' is only valid in a redis-sentinel:// URL")
            }
            if key == "sentinel_user" {
                sentinel.sentinelUsername = value
            } else {
                sentinel.sentinelPassword = value
            }
            topology = .sentinel(sentinel)
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
        let address = try RedisNodeAddress.parse(authority, defaultPort: 6379)
        return (address.host, address.port)
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
