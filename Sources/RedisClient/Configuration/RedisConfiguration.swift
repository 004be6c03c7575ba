/// Everything a ``RedisClient`` needs to know: where the server is, how to authenticate, and the limits and
/// timeouts that keep every command bounded.
///
/// Build one directly or from a URL with ``init(url:)``.
public struct RedisConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Where the server listens.
    public enum Endpoint: Sendable, Hashable {
        /// A TCP host name or IP address and port.
        case tcp(host: String, port: Int)
        /// A Unix domain socket path.
        case unix(path: String)
    }

    /// The server's address.
    public var endpoint: Endpoint
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
    /// How many pipelined connections the pool keeps (at least 1). Pub/sub and blocking commands use their own.
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
    /// On virtual machines waking a sleeping thread takes tens of microseconds, which a caller waiting on one
    /// reply at a time pays on every command: polling took `authenticate` at one caller from 84 µs to 42 µs p50 on
    /// the 2-vCPU machine of Documentation/Performance.md. Polling costs a busy core for as long as it lasts, so the
    /// thread polls only when that pays off:
    /// - few commands await replies (at most four: one caller's command or short pipeline), now and on average
    ///   over recent waits. Under load the callers need the processors and replies arrive anyway: polling whenever
    ///   some reply was due cost 20–30 % of throughput at 64 callers;
    /// - recent replies arrived within this limit (a moving average of the waits). Over a network with longer
    ///   round trips it stops polling after a few commands, and starts again if round trips get short;
    /// - the process can use at least two processors: online, allowed by its affinity mask, and within its cgroup
    ///   CPU quota (a container limited to one CPU does not poll).
    /// It yields the processor between polls, never polls while nothing is in flight (an idle client sleeps), and
    /// deadlines still fire while it polls.
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

    /// Creates a configuration with the given endpoint and defaults for everything else.
    public init(
        endpoint: Endpoint = .tcp(host: "127.0.0.1", port: 6379),
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
        return self
    }

    /// A description for logs: the password is never included.
    public var description: String {
        let scheme = tls == nil ? "redis" : "rediss"
        let user = username.map { "\($0):***@" } ?? (password == nil ? "" : ":***@")
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "\(scheme)://\(user)\(shownHost):\(port)/\(database)"
        case .unix(let path):
            return "unix://\(user)\(path)?db=\(database)"
        }
    }
}
