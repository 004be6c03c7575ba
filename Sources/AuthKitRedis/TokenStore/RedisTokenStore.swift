public import AuthKitClock
public import Logging
public import RedisClient
import Synchronization
public import TokenStore

/// A ``TokenStore`` in Redis: revocations, epochs, refresh-token families and sessions shared by every
/// process of an application, ready for Redis Cluster.
///
/// Every check-and-change is one Lua script over the keys of one user, which all carry the user's hash tag
/// (`authkit:{u:<uid>}:…`), so each call is one round trip on one slot; the authenticate check included.
/// Time comes from the injected `WallClock` and is passed to the scripts, which decide every rule by
/// comparing recorded instants with it; TTLs (every key has one) only reclaim memory, a margin after a record
/// stops mattering. Refresh tokens are stored only as SHA-256 digests. No SCAN or KEYS is ever used: a user's
/// sessions are listed from a sorted set that every write prunes.
///
/// Call ``checkMemoryPolicy()`` once at start (``start(client:configuration:clock:)`` does): an evicting
/// `maxmemory-policy` could silently drop denylist entries.
public final class RedisTokenStore: TokenStore {
    private let client: RedisClient
    private let keys: RedisKeyspace
    private let clock: WallClock
    private let marginMilliseconds: Int64
    /// Commands sent to Redis so far; tests read it to prove the authenticate check is one round trip.
    let commandsSent = Atomic<Int>(0)
    /// The settings the store was created with.
    public let configuration: RedisTokenStoreConfiguration

    /// Creates a store on `client`; throws ``TokenStoreError/Code-swift.struct/invalidConfiguration`` for a key
    /// prefix containing `{` or `}` or a non-positive expiry margin.
    public init(
        client: RedisClient,
        configuration: RedisTokenStoreConfiguration = RedisTokenStoreConfiguration(),
        clock: WallClock = .system
    ) throws(TokenStoreError) {
        guard !configuration.keyPrefix.contains("{"), !configuration.keyPrefix.contains("}") else {
            throw TokenStoreError(.invalidConfiguration, "the key prefix must not contain { or }")
        }
        guard configuration.keyPrefix.utf8.count <= 64 else {
            throw TokenStoreError(.invalidConfiguration, "the key prefix is longer than 64 bytes")
        }
        guard configuration.expiryMargin > .zero else {
            throw TokenStoreError(.invalidConfiguration, "the expiry margin must be positive")
        }
        self.client = client
        self.configuration = configuration
        self.keys = RedisKeyspace(prefix: configuration.keyPrefix)
        self.clock = clock
        self.marginMilliseconds = Self.milliseconds(configuration.expiryMargin)
    }

    /// Creates a store and checks the server's eviction policy (see ``checkMemoryPolicy()``), logging a
    /// warning to `logger` when the policy could evict revocations (strict mode throws instead).
    public static func start(
        client: RedisClient,
        configuration: RedisTokenStoreConfiguration = RedisTokenStoreConfiguration(),
        clock: WallClock = .system,
        logger: Logger = Logger(label: "authkit.tokenstore")
    ) async throws -> RedisTokenStore {
        let store = try RedisTokenStore(client: client, configuration: configuration, clock: clock)
        let report = try await store.checkMemoryPolicy()
        if !report.isSafe {
            logger.warning(
                "Redis could evict revocations",
                metadata: ["redis.maxmemory_policy": "\(report.policy ?? "unknown")", "detail": "\(report)"]
            )
        }
        return store
    }

    /// Reads the server's `maxmemory-policy` (`CONFIG GET`) and reports whether it could evict revocations.
    ///
    /// With ``RedisTokenStoreConfiguration/requireSafeMemoryPolicy`` set, an unsafe or unreadable policy throws
    /// ``TokenStoreError/Code-swift.struct/unsafeStoreConfiguration``.
    public func checkMemoryPolicy() async throws -> RedisMemoryPolicyReport {
        let report: RedisMemoryPolicyReport
        do {
            let reply = try await client.send("CONFIG", "GET", "maxmemory-policy")
            let values = reply.array ?? []
            report = RedisMemoryPolicyReport(policy: values.count == 2 ? values[1].string : nil)
        } catch let error as RedisError where error.code == .server {
            report = RedisMemoryPolicyReport(policy: nil)
        } catch {
            throw Self.unavailable(error)
        }
        if configuration.requireSafeMemoryPolicy && !report.isSafe {
            throw TokenStoreError(.unsafeStoreConfiguration, report.description)
        }
        return report
    }

    @discardableResult
    public func revoke(jti: String, userID: String, expiresAt: UnixTime) async throws -> Bool {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkJTI(jti)
        let now = clock.now()
        guard expiresAt > now else {
            return false
        }
        let reply = try await eval(
            RedisTokenStoreScripts.revoke,
            keys: [keys.revoked(userID, jti: jti)],
            arguments: [RedisArgument(now.milliseconds), RedisArgument(expiresAt.milliseconds), margin]
        )
        return try Self.integer(reply) == 1
    }

    @discardableResult
    public func logOutEverywhere(userID: String, retention: Duration) async throws -> Int {
        try TokenStoreLimits.checkUserID(userID)
        guard retention > .zero else {
            throw TokenStoreError(.invalidConfiguration, "the epoch retention must be positive")
        }
        let now = clock.now()
        return try await endSessions(userID: userID, now: now, epochRetainedUntil: (now + retention).milliseconds)
    }

    public func epoch(userID: String) async throws -> UnixTime? {
        try TokenStoreLimits.checkUserID(userID)
        let now = clock.now()
        let reply = try await send(["HMGET", keys.epoch(userID), "at", "until"])
        let fields = try Self.fields(reply, count: 2)
        guard let at = fields[0].flatMap(Int64.init), let until = fields[1].flatMap(Int64.init),
            now.milliseconds < until
        else {
            return nil
        }
        return Self.instant(at)
    }

    public func createSession(_ request: NewSession) async throws -> SessionGrant {
        try request.validate()
        let sessionID = Session.newID()
        let token = RefreshToken.issue(userID: request.userID, sessionID: sessionID)
        let device = request.device.truncated
        let now = clock.now()
        let lifetime = request.lifetime
        let reply = try await eval(
            RedisTokenStoreScripts.createSession,
            keys: [keys.sessions(request.userID)],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(sessionID), RedisArgument(token.digest),
                RedisArgument(device.name), RedisArgument(device.ipAddress), RedisArgument(device.userAgent),
                RedisArgument(Self.milliseconds(lifetime.absolute)), RedisArgument(Self.milliseconds(lifetime.idle)),
                RedisArgument(Self.milliseconds(lifetime.reuseGracePeriod)),
                RedisArgument(request.policy.maxSessions ?? 0),
                RedisArgument(request.policy.overflow == .refuseNewLogin ? 1 : 0), margin,
                RedisArgument(keys.sessionPrefix(request.userID)),
            ]
        )
        guard let items = reply.array, let status = items.first?.integer else {
            throw Self.corrupt("createSession")
        }
        guard status == 1 else {
            let limit = items.count > 1 ? items[1].integer ?? 0 : 0
            throw TokenStoreError(.sessionLimitReached, "the user already has the \(limit) sessions the policy allows")
        }
        let absolute = now + lifetime.absolute
        let session = Session(
            id: sessionID,
            userID: request.userID,
            device: device,
            createdAt: Self.instant(now.milliseconds),
            lastSeenAt: Self.instant(now.milliseconds),
            expiresAt: Self.instant(min(now + lifetime.idle, absolute).milliseconds),
            absoluteExpiresAt: Self.instant(absolute.milliseconds)
        )
        let ended = items.dropFirst().compactMap(\.string)
        return SessionGrant(session: session, refreshToken: token, endedSessionIDs: Array(ended))
    }

    public func rotate(refreshToken presented: String) async throws -> RefreshOutcome {
        guard let token = RefreshToken(parsing: presented) else {
            return .invalid
        }
        let next = RefreshToken.issue(userID: token.userID, sessionID: token.sessionID)
        let now = clock.now()
        let reply = try await eval(
            RedisTokenStoreScripts.rotate,
            keys: [keys.session(token.userID, token.sessionID), keys.sessions(token.userID)],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(token.digest), RedisArgument(next.digest),
                RedisArgument(TokenStoreLimits.retiredDigestHistory), margin, RedisArgument(token.sessionID),
            ]
        )
        guard let items = reply.array, let status = items.first?.string else {
            throw Self.corrupt("rotate")
        }
        switch status {
        case "rotated":
            guard items.count == 4, let expires = items[1].string.flatMap(Int64.init),
                let absolute = items[2].string.flatMap(Int64.init)
            else {
                throw Self.corrupt("rotate")
            }
            return .rotated(
                RefreshGrant(
                    refreshToken: next,
                    userID: token.userID,
                    sessionID: token.sessionID,
                    expiresAt: Self.instant(expires),
                    absoluteExpiresAt: Self.instant(absolute),
                    isGraceRetry: items[3].string == "1"
                )
            )
        case "reuse":
            return .reuseDetected(userID: token.userID, sessionID: token.sessionID)
        case "invalid":
            return .invalid
        default:
            throw Self.corrupt("rotate")
        }
    }

    public func sessions(userID: String) async throws -> [Session] {
        try TokenStoreLimits.checkUserID(userID)
        let now = clock.now()
        let reply = try await eval(
            RedisTokenStoreScripts.listSessions,
            keys: [keys.sessions(userID)],
            arguments: [RedisArgument(now.milliseconds), RedisArgument(keys.sessionPrefix(userID))]
        )
        guard let items = reply.array, items.count % 8 == 0 else {
            throw Self.corrupt("sessions")
        }
        var sessions: [Session] = []
        for start in stride(from: 0, to: items.count, by: 8) {
            guard let id = items[start].string else {
                throw Self.corrupt("sessions")
            }
            let fields = items[(start + 1)..<(start + 8)].map(\.string)
            sessions.append(try Self.session(id: id, userID: userID, fields: Array(fields)))
        }
        return sessions.sorted {
            $0.createdAt != $1.createdAt
                ? $0.createdAt < $1.createdAt : $0.id.utf8.lexicographicallyPrecedes($1.id.utf8)
        }
    }

    public func session(userID: String, sessionID: String) async throws -> Session? {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionID(sessionID)
        let now = clock.now()
        let reply = try await send([
            "HMGET", keys.session(userID, sessionID), "name", "ip", "ua", "created", "seen", "exp", "abs", "reuse",
        ])
        let fields = try Self.fields(reply, count: 8)
        guard let expires = fields[5].flatMap(Int64.init), fields[7] != "1", now.milliseconds < expires else {
            return nil
        }
        return try Self.session(id: sessionID, userID: userID, fields: Array(fields.prefix(7)))
    }

    @discardableResult
    public func touchSession(userID: String, sessionID: String) async throws -> Bool {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionID(sessionID)
        let now = clock.now()
        let reply = try await eval(
            RedisTokenStoreScripts.touchSession,
            keys: [keys.session(userID, sessionID), keys.sessions(userID)],
            arguments: [RedisArgument(now.milliseconds), margin, RedisArgument(sessionID)]
        )
        return try Self.integer(reply) == 1
    }

    @discardableResult
    public func revokeSession(userID: String, sessionID: String) async throws -> Bool {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionID(sessionID)
        let now = clock.now()
        let reply = try await eval(
            RedisTokenStoreScripts.revokeSession,
            keys: [keys.session(userID, sessionID), keys.sessions(userID)],
            arguments: [RedisArgument(now.milliseconds), margin, RedisArgument(sessionID)]
        )
        return try Self.integer(reply) == 1
    }

    @discardableResult
    public func revokeAllSessions(userID: String) async throws -> Int {
        try TokenStoreLimits.checkUserID(userID)
        return try await endSessions(userID: userID, now: clock.now(), epochRetainedUntil: 0)
    }

    public func check(_ check: AccessCheck) async throws -> AccessStatus {
        try check.validate()
        let now = clock.now()
        let sessionID = check.sessionID ?? ""
        let reply = try await eval(
            RedisTokenStoreScripts.check,
            keys: [
                keys.revoked(check.userID, jti: check.jti ?? ""), keys.epoch(check.userID),
                keys.session(check.userID, sessionID), keys.sessions(check.userID),
            ],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(check.issuedAt.milliseconds),
                RedisArgument(check.jti == nil ? 0 : 1), RedisArgument(check.sessionID == nil ? 0 : 1),
                RedisArgument(check.touchSession ? 1 : 0), margin, RedisArgument(sessionID),
            ]
        )
        switch try Self.integer(reply) {
        case 0: return .valid
        case 1: return .revoked
        case 2: return .predatesEpoch
        case 3: return .sessionEnded
        default: throw Self.corrupt("check")
        }
    }

    private var margin: RedisArgument {
        RedisArgument(marginMilliseconds)
    }

    private func endSessions(userID: String, now: UnixTime, epochRetainedUntil: Int64) async throws -> Int {
        let reply = try await eval(
            RedisTokenStoreScripts.endSessions,
            keys: [keys.sessions(userID), keys.epoch(userID)],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(keys.sessionPrefix(userID)), margin,
                RedisArgument(epochRetainedUntil),
            ]
        )
        return Int(try Self.integer(reply))
    }

    private func eval(
        _ script: RedisScript,
        keys: [RedisArgument],
        arguments: [RedisArgument]
    ) async throws
        -> RedisReply
    {
        commandsSent.add(1, ordering: .relaxed)
        do {
            return try await client.eval(script, keys: keys, arguments: arguments)
        } catch {
            throw Self.unavailable(error)
        }
    }

    private func send(_ arguments: [RedisArgument]) async throws -> RedisReply {
        commandsSent.add(1, ordering: .relaxed)
        do {
            return try await client.send(arguments)
        } catch {
            throw Self.unavailable(error)
        }
    }

    private static func unavailable(_ error: any Error) -> TokenStoreError {
        if let error = error as? TokenStoreError {
            return error
        }
        return TokenStoreError(.storeUnavailable, "Redis did not answer: \(error)")
    }

    private static func corrupt(_ operation: String) -> TokenStoreError {
        TokenStoreError(.corruptRecord, "Redis answered \(operation) with a reply of an unexpected shape")
    }

    private static func integer(_ reply: RedisReply) throws(TokenStoreError) -> Int64 {
        guard let value = reply.integer else {
            throw corrupt("a script")
        }
        return value
    }

    private static func fields(_ reply: RedisReply, count: Int) throws(TokenStoreError) -> [String?] {
        guard let items = reply.array, items.count == count else {
            throw corrupt("HMGET")
        }
        return items.map(\.string)
    }

    /// A session from the fields name, ip, ua, created, seen, exp, abs.
    private static func session(id: String, userID: String, fields: [String?]) throws(TokenStoreError) -> Session {
        let times = fields[3...6].compactMap { $0.flatMap(Int64.init) }
        guard fields.count == 7, times.count == 4 else {
            throw corrupt("a session read")
        }
        return Session(
            id: id,
            userID: userID,
            device: DeviceInfo(name: fields[0] ?? "", ipAddress: fields[1] ?? "", userAgent: fields[2] ?? ""),
            createdAt: instant(times[0]),
            lastSeenAt: instant(times[1]),
            expiresAt: instant(times[2]),
            absoluteExpiresAt: instant(times[3])
        )
    }

    private static func instant(_ milliseconds: Int64) -> UnixTime {
        UnixTime(sinceEpoch: .milliseconds(milliseconds))
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }
}
