/// Everything a ``RedisClient`` needs to know: where the server is, how to authenticate, and the limits and
/// timeouts that keep every command bounded.
///
/// Build one directly or from a URL with ``init(url:)``. With a cluster or Sentinel ``topology`` the connection
/// settings here apply to every node the client connects to.
public struct RedisConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Where the server listens.
    public enum Endpoint: Sendable, Hashable {
        /// A TCP host name or IP address and port.
        case tcp(host: String, port: Int)
        /// A Unix domain socket path.
        case unix(path: String)
    }

    /// The server's address; with a cluster or Sentinel ``topology``, the nodes come from there instead (a URL
    /// sets this to the first seed or Sentinel, for logs).
    public var endpoint: Endpoint
    /// One server, a cluster, or a primary found through Sentinels (default ``RedisTopology/single``).
    public var topology: RedisTopology
    /// TLS settings; `nil` for plain connections. Only TCP endpoints can use TLS.
    public var tls: RedisTLSConfiguration?
    /// The ACL user name sent with AUTH; `nil` authenticates as the default user.
    public var username: String?
    /// The password sent with AUTH; `nil` sends no AUTH. Never logged.
    public var password: String?
    /// The database index selected with SELECT on every new connection (0 sends no SELECT).
    public var database: Int
    /// The name set with CLIENT SETNAME on every new connection, shown by CLIENT LIST.
    public var clientName: String?
    /// How many pipelined connections the pool keeps (at least 1), per primary on a cluster. Pub/sub and blocking
    /// commands use their own.
    public var poolSize: Int
    /// How long opening a connection may take: TCP connect, TLS handshake and the AUTH/SELECT exchange. Commands
    /// waiting for the connection are each still held to their own ``commandTimeout``.
    public var connectTimeout: Duration
    /// How long a command may take from the call until its reply; past that it fails with ``RedisError/Code/timeout``
    /// and its connection is closed.
    ///
    /// The deadline holds wherever the command waits: for a connection being opened (it then fails alone and the
    /// connection attempt goes on up to ``connectTimeout``), behind AUTH/SELECT/CLIENT SETNAME, or written and
    /// waiting for its reply. The client's I/O thread fails it within about a millisecond of the deadline once the
    /// operating system runs that thread; the caller then resumes when its executor runs it (Swift's cooperative
    /// pool for tasks on the global executor, so CPU-bound work there delays it).
    public var commandTimeout: Duration
    /// How the pool waits between attempts to reopen a failed connection.
    public var reconnectBackoff: RedisBackoff
    /// How often a subscription's connection is checked with PING, so that a hung server is noticed and the
    /// subscription moves to a fresh connection.
    public var subscriptionHealthCheckInterval: Duration
    /// Whether a command for an idle, established plain connection is written by the calling thread itself, with
    /// one non-blocking `send` that never waits (default `true`). It saves the hop to the I/O thread at low
    /// concurrency; set `false` to keep every socket call on the client's I/O thread.
    public var directWrites: Bool
    /// How long the client's I/O thread may poll for an expected reply instead of sleeping (default 100 µs;
    /// `.zero` turns polling off; at most 1 ms).
    ///
    /// It saves a caller waiting on one reply at a time the thread's wake-up, tens of microseconds on virtual
    /// machines. The thread polls only while few commands (at most four) await replies, recent replies came within
    /// this limit, and the process can use at least two processors; it never polls while idle, yields between polls,
    /// and deadlines still fire. Details: Documentation/RedisClient.md#busy-polling.
    public var busyPoll: Duration
    /// The most bytes one reply may take on the wire, all its values together, nested ones included (default
    /// 4 MiB). A reply above it is skipped unread and fails its own command only, with
    /// ``RedisError/Code/replyTooLarge``.
    ///
    /// The default is sized for AuthKit's own replies with room to spare: the largest is a user's session list at
    /// the cap of 100 sessions with every device field at its 512-byte limit, about 170 KB; a cached permission set
    /// is as large as the application makes it. Raise it for commands with larger replies (big values, `LRANGE`
    /// over long lists).
    public var maxReplyBytes: Int
    /// The most array elements one reply may hold, every nesting level counted together (default 16,384). A reply
    /// above it is skipped unread and fails its own command only, with ``RedisError/Code/replyTooLarge``.
    ///
    /// AuthKit's largest reply, a session list at the cap of 100 sessions, holds 800 elements. The cap is what
    /// bounds the memory a single header can make the reader allocate for its element slots.
    public var maxReplyElements: Int
    /// Whether every new connection checks with `ROLE`, before any command of a caller, that the server is a
    /// primary, and fails when it is not: set on the primary's pool behind Sentinel, so that a reconnect never
    /// reaches a primary demoted meanwhile.
    var requiresPrimaryRole = false

    /// Creates a configuration with the given endpoint and defaults for everything else.
    public init(
        endpoint: Endpoint = .tcp(host: "127.0.0.1", port: 6379),
        topology: RedisTopology = .single,
        tls: RedisTLSConfiguration? = nil,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        clientName: String? = nil,
        poolSize: Int = 4,
        connectTimeout: Duration = .seconds(5),
        commandTimeout: Duration = .seconds(2),
        reconnectBackoff: RedisBackoff = RedisBackoff(),
        subscriptionHealthCheckInterval: Duration = .seconds(5),
        directWrites: Bool = true,
        busyPoll: Duration = .microseconds(100),
        maxReplyBytes: Int = 4 * 1024 * 1024,
        maxReplyElements: Int = 16_384
    ) {
        self.endpoint = endpoint
        self.topology = topology
        self.tls = tls
        self.username = username
        self.password = password
        self.database = database
        self.clientName = clientName
        self.poolSize = poolSize
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.reconnectBackoff = reconnectBackoff
        self.subscriptionHealthCheckInterval = subscriptionHealthCheckInterval
        self.directWrites = directWrites
        self.busyPoll = busyPoll
        self.maxReplyBytes = maxReplyBytes
        self.maxReplyElements = maxReplyElements
    }

    /// Checks the values that a URL or a caller could get wrong.
    func validated() throws(RedisError) -> RedisConfiguration {
        if poolSize < 1 {
            throw RedisError(.invalidConfiguration, "poolSize must be at least 1, got \(poolSize)")
        }
        if busyPoll < .zero || busyPoll > .milliseconds(1) {
            throw RedisError(.invalidConfiguration, "busyPoll must be between 0 and 1 ms, got \(busyPoll)")
        }
        if database < 0 {
            throw RedisError(.invalidConfiguration, "database must not be negative, got \(database)")
        }
        if case .tcp(let host, let port) = endpoint {
            if host.isEmpty {
                throw RedisError(.invalidConfiguration, "the host name is empty")
            }
            if !(1...65535).contains(port) {
                throw RedisError(.invalidConfiguration, "port \(port) is not between 1 and 65535")
            }
        }
        if case .unix = endpoint, tls != nil {
            throw RedisError(.invalidConfiguration, "TLS is only supported over TCP")
        }
        if username != nil && password == nil {
            throw RedisError(.invalidConfiguration, "an ACL user name needs a password")
        }
        if connectTimeout <= .zero || commandTimeout <= .zero || subscriptionHealthCheckInterval <= .zero {
            throw RedisError(.invalidConfiguration, "timeouts must be positive")
        }
        if maxReplyBytes < 1 || maxReplyElements < 1 {
            throw RedisError(.invalidConfiguration, "reply caps must be positive")
        }
        try validateTopology()
        return self
    }

    private func validateTopology() throws(RedisError) {
        switch topology.kind {
        case .single:
            return
        case .cluster(let cluster):
            if database != 0 {
                throw RedisError(.invalidConfiguration, "a cluster has only database 0, got \(database)")
            }
            try Self.validate(cluster.seeds, "cluster seed")
            if cluster.maximumRedirects < 0 {
                throw RedisError(.invalidConfiguration, "maximumRedirects must not be negative")
            }
            if cluster.refreshInterval <= .zero || cluster.minimumRefreshInterval < .zero
                || cluster.initialRetryPause <= .zero || cluster.maximumRetryPause < cluster.initialRetryPause
            {
                throw RedisError(.invalidConfiguration, "cluster intervals and pauses must be positive")
            }
        case .sentinel(let sentinel):
            try Self.validate(sentinel.sentinels, "Sentinel")
            if sentinel.primaryName.isEmpty {
                throw RedisError(.invalidConfiguration, "the Sentinel topology needs the primary's name")
            }
            if sentinel.sentinelUsername != nil && sentinel.sentinelPassword == nil {
                throw RedisError(.invalidConfiguration, "a Sentinel ACL user name needs a password")
            }
            if sentinel.failoverPause < .zero {
                throw RedisError(.invalidConfiguration, "failoverPause must not be negative")
            }
        }
    }

    private static func validate(_ nodes: [RedisNodeAddress], _ role: String) throws(RedisError) {
        if nodes.isEmpty {
            throw RedisError(.invalidConfiguration, "at least one \(role) address is needed")
        }
        for node in nodes {
            if node.host.isEmpty || !(1...65535).contains(node.port) {
                throw RedisError(.invalidConfiguration, "invalid \(role) address \(node)")
            }
        }
    }

    /// The settings of one connection pool to `node`: these settings, as a single server.
    func node(_ node: RedisNodeAddress) -> RedisConfiguration {
        var configuration = self
        configuration.topology = .single
        configuration.endpoint = .tcp(host: node.host, port: node.port)
        return configuration
    }

    /// A description for logs: the password is never included.
    public var description: String {
        let scheme = tls == nil ? "redis" : "rediss"
        let user = username.map { "\($0):***@" } ?? (password == nil ? "" : ":***@")
        switch topology.kind {
        case .single:
            break
        case .cluster(let cluster):
            return "\(scheme)-cluster://\(user)\(cluster.seeds.map(\.description).joined(separator: ","))"
        case .sentinel(let sentinel):
            let nodes = sentinel.sentinels.map(\.description).joined(separator: ",")
            return "\(scheme)-sentinel://\(user)\(nodes)/\(sentinel.primaryName)?db=\(database)"
        }
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "\(scheme)://\(user)\(shownHost):\(port)/\(database)"
        case .unix(let path):
            return "unix://\(user)\(path)?db=\(database)"
        }
    }
}
