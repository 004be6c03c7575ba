public import AuthKitClock
public import Logging
public import RedisClient
import Synchronization
public import TokenStore

/// A `TokenStore` in Redis: revocations, epochs, refresh-token families and sessions shared by every
/// process of an application, ready for Redis Cluster.
///
/// Every check-and-change is one Lua script over the keys of one user, which all carry the user's hash tag
/// (`authkit:{u:<uid>}:…`), so each call is one round trip on one slot. The authenticate check is one too: a
/// script when it touches the session, otherwise (it only reads) its reads sent as one pipeline.
/// Time comes from the injected `WallClock` and is passed to the scripts, which decide every rule by
/// comparing recorded instants with it; TTLs (every key has one) only reclaim memory, a margin after a record
/// stops mattering. Refresh tokens are stored only as SHA-256 digests. No SCAN or KEYS is ever used: a user's
/// sessions are listed from a sorted set that every write prunes.
///
/// Call ``checkMemoryPolicy()`` once at start (``start(client:configuration:clock:logger:)`` does): an evicting
/// `maxmemory-policy` could silently drop denylist entries.
public final class RedisTokenStore: TokenStore {
    private let client: RedisClient
    private let keys: RedisKeyspace
    private let clock: WallClock
    private let marginMilliseconds: Int64
    /// Commands sent to Redis so far; tests read it to prove the authenticate check is one round trip.
    let commandsSent = Atomic<Int>(0)
    /// Whether a check without a session touch runs the check script instead of its pipelined reads: only tests
    /// set it, to hold both ways of checking to the same conformance suite.
    let readOnlyCheckRunsScript: Bool
    /// The settings the store was created with.
    public let configuration: RedisTokenStoreConfiguration

    /// Creates a store on `client`; throws `TokenStoreError.Code.invalidConfiguration` for a key
    /// prefix containing `{` or `}` or an expiry margin under one millisecond.
    public convenience init(
        client: RedisClient,
        configuration: RedisTokenStoreConfiguration = RedisTokenStoreConfiguration(),
        clock: WallClock = .system
    ) throws(TokenStoreError) {
        try self.init(client: client, configuration: configuration, clock: clock, readOnlyCheckRunsScript: false)
    }

    init(
        client: RedisClient,
        configuration: RedisTokenStoreConfiguration,
        clock: WallClock,
        readOnlyCheckRunsScript: Bool
    ) throws(TokenStoreError) {
        guard !configuration.keyPrefix.contains("{"), !configuration.keyPrefix.contains("}") else {
            throw TokenStoreError(.invalidConfiguration, "the key prefix must not contain { or }")
        }
        guard configuration.keyPrefix.utf8.count <= 64 else {
            throw TokenStoreError(.invalidConfiguration, "the key prefix is longer than 64 bytes")
        }
        try TokenStoreLimits.checkDuration(configuration.expiryMargin, name: "the expiry margin")
        self.client = client
        self.configuration = configuration
        self.keys = RedisKeyspace(prefix: configuration.keyPrefix)
        self.clock = clock
        self.marginMilliseconds = Self.milliseconds(configuration.expiryMargin)
        self.readOnlyCheckRunsScript = readOnlyCheckRunsScript
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
    /// `TokenStoreError.Code.unsafeStoreConfiguration`.
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

    /// Implements `TokenStore.revoke(jti:userID:expiresAt:)`; see the protocol for the contract.
    @discardableResult
    public func revoke(jti: String, userID: String, expiresAt: UnixTime) async throws -> Bool {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkJTI(jti)
        let now = clock.now()
        let until = TokenStoreLimits.revokedUntil(expiresAt: expiresAt)
        guard until > now else {
            return false
        }
        let reply = try await eval(
            RedisTokenStoreScripts.revoke,
            keys: [keys.revoked(userID, jti: jti)],
            arguments: [RedisArgument(now.milliseconds), RedisArgument(until.milliseconds), margin]
        )
        return try Self.integer(reply) == 1
    }

    /// Implements `TokenStore.logOutEverywhere(userID:retention:)`; see the protocol for the contract.
    @discardableResult
    public func logOutEverywhere(userID: String, retention: Duration) async throws -> Int {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkDuration(retention, name: "the epoch retention")
        let now = clock.now()
        return try await endSessions(userID: userID, now: now, epochRetainedUntil: (now + retention).milliseconds)
    }

    /// Implements `TokenStore.epoch(userID:)`; see the protocol for the contract.
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

    /// Implements `TokenStore.createSession(_:)`; see the protocol for the contract.
    public func createSession(_ request: NewSession) async throws -> SessionGrant {
        try request.validate()
        let sessionID = Session.newID()
        let token = RefreshToken.issue(userID: request.userID, sessionID: sessionID)
        let device = request.device.truncated
        let now = clock.now()
        let lifetime = request.lifetime
        let reply = try await eval(
            RedisTokenStoreScripts.createSession,
            keys: [keys.sessions(request.userID), keys.epoch(request.userID)],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(sessionID), RedisArgument(token.digest),
                RedisArgument(device.name), RedisArgument(device.ipAddress), RedisArgument(device.userAgent),
                RedisArgument(Self.milliseconds(lifetime.absolute)), RedisArgument(Self.milliseconds(lifetime.idle)),
                RedisArgument(Self.milliseconds(lifetime.reuseGracePeriod)),
                RedisArgument(request.policy.effectiveLimit),
                RedisArgument(request.policy.overflow == .refuseNewLogin ? 1 : 0), margin,
                RedisArgument(keys.sessionPrefix(request.userID)), bound, RedisArgument(request.claims),
            ]
        )
        guard let items = reply.array, let status = items.first?.integer else {
            throw Self.corrupt("createSession")
        }
        guard status == 1 else {
            let limit = items.count > 1 ? items[1].integer ?? 0 : 0
            throw TokenStoreError(.sessionLimitReached, "the user already has the \(limit) sessions the policy allows")
        }
        guard items.count >= 2, let created = items[1].string.flatMap(Int64.init) else {
            throw Self.corrupt("createSession")
        }
        let absolute = now + lifetime.absolute
        let session = Session(
            id: sessionID,
            userID: request.userID,
            device: device,
            createdAt: Self.instant(created),
            lastSeenAt: Self.instant(now.milliseconds),
            expiresAt: Self.instant(min(now + lifetime.idle, absolute).milliseconds),
            absoluteExpiresAt: Self.instant(absolute.milliseconds)
        )
        let ended = items.dropFirst(2).compactMap(\.string)
        return SessionGrant(session: session, refreshToken: token, endedSessionIDs: Array(ended))
    }

    /// Implements `TokenStore.rotate(refreshToken:)`; see the protocol for the contract.
    public func rotate(refreshToken presented: String) async throws -> RefreshOutcome {
        guard let token = RefreshToken(parsing: presented) else {
            return .invalid
        }
        let next = RefreshToken.issue(userID: token.userID, sessionID: token.sessionID)
        let items = try await rotateScript(token, next: next.digest, inspect: false)
        switch items.first?.string {
        case "rotated":
            let (expires, absolute, isGraceRetry, claims) = try Self.family(items, operation: "rotate")
            return .rotated(
                RefreshGrant(
                    refreshToken: next,
                    userID: token.userID,
                    sessionID: token.sessionID,
                    expiresAt: expires,
                    absoluteExpiresAt: absolute,
                    isGraceRetry: isGraceRetry,
                    claims: claims
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

    /// Implements `TokenStore.inspect(refreshToken:)`: the rotation script, told to write nothing.
    public func inspect(refreshToken presented: String) async throws -> RefreshTokenStatus {
        guard let token = RefreshToken(parsing: presented) else {
            return .invalid
        }
        let items = try await rotateScript(token, next: token.digest, inspect: true)
        switch items.first?.string {
        case "active":
            let (expires, absolute, _, claims) = try Self.family(items, operation: "inspect")
            return .active(
                ActiveRefreshToken(
                    userID: token.userID,
                    sessionID: token.sessionID,
                    expiresAt: expires,
                    absoluteExpiresAt: absolute,
                    claims: claims
                )
            )
        case "reuse":
            return .retired(userID: token.userID, sessionID: token.sessionID)
        case "invalid":
            return .invalid
        default:
            throw Self.corrupt("inspect")
        }
    }

    private func rotateScript(_ token: RefreshToken, next: [UInt8], inspect: Bool) async throws -> [RedisReply] {
        let now = clock.now()
        let reply = try await eval(
            RedisTokenStoreScripts.rotate,
            keys: [
                keys.session(token.userID, token.sessionID), keys.sessions(token.userID), keys.epoch(token.userID),
            ],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(token.digest), RedisArgument(next),
                RedisArgument(TokenStoreLimits.retiredDigestHistory), margin, RedisArgument(token.sessionID),
                RedisArgument(keys.sessionPrefix(token.userID)), bound, RedisArgument(inspect ? 1 : 0),
            ]
        )
        guard let items = reply.array, !items.isEmpty else {
            throw Self.corrupt(inspect ? "inspect" : "rotate")
        }
        return items
    }

    /// The expiry, absolute expiry, grace flag and claims of a `rotated` or `active` reply.
    private static func family(
        _ items: [RedisReply],
        operation: String
    ) throws(TokenStoreError) -> (UnixTime, UnixTime, Bool, String) {
        guard items.count == 5, let expires = items[1].string.flatMap(Int64.init),
            let absolute = items[2].string.flatMap(Int64.init), let claims = items[4].string
        else {
            throw corrupt(operation)
        }
        return (instant(expires), instant(absolute), items[3].string == "1", claims)
    }

    /// Implements `TokenStore.sessions(userID:)`; see the protocol for the contract.
    public func sessions(userID: String) async throws -> [Session] {
        try TokenStoreLimits.checkUserID(userID)
        let now = clock.now()
        let reply = try await eval(
            RedisTokenStoreScripts.listSessions,
            keys: [keys.sessions(userID), keys.epoch(userID)],
            arguments: [RedisArgument(now.milliseconds), RedisArgument(keys.sessionPrefix(userID)), bound]
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

    /// Implements `TokenStore.session(userID:sessionID:)`; see the protocol for the contract.
    public func session(userID: String, sessionID: String) async throws -> Session? {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionID(sessionID)
        let now = Double(clock.now().milliseconds)
        let replies = try await pipeline([
            ["HMGET", keys.session(userID, sessionID), "name", "ip", "ua", "created", "seen", "exp", "abs", "reuse"],
            ["HMGET", keys.epoch(userID), "at", "until"],
        ])
        guard replies.count == 2 else { throw Self.corrupt("the session's reads") }
        let fields = try Self.fields(replies[0], count: 8)
        let cut = try Self.epochCut(try Self.fields(replies[1], count: 2), now: now)
        guard try Self.sessionIsAlive(expires: fields[5], reuse: fields[7], created: fields[3], now: now, cut: cut)
        else {
            return nil
        }
        return try Self.session(id: sessionID, userID: userID, fields: Array(fields.prefix(7)))
    }

    /// Implements `TokenStore.touchSession(userID:sessionID:)`; see the protocol for the contract.
    @discardableResult
    public func touchSession(userID: String, sessionID: String) async throws -> Bool {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionID(sessionID)
        let now = clock.now()
        let reply = try await eval(
            RedisTokenStoreScripts.touchSession,
            keys: [keys.session(userID, sessionID), keys.sessions(userID), keys.epoch(userID)],
            arguments: [
                RedisArgument(now.milliseconds), margin, RedisArgument(sessionID),
                RedisArgument(keys.sessionPrefix(userID)), bound,
            ]
        )
        return try Self.integer(reply) == 1
    }

    /// Implements `TokenStore.revokeSession(userID:sessionID:)`; see the protocol for the contract.
    @discardableResult
    public func revokeSession(userID: String, sessionID: String) async throws -> Bool {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionID(sessionID)
        let now = clock.now()
        let reply = try await eval(
            RedisTokenStoreScripts.revokeSession,
            keys: [keys.session(userID, sessionID), keys.sessions(userID), keys.epoch(userID)],
            arguments: [
                RedisArgument(now.milliseconds), margin, RedisArgument(sessionID),
                RedisArgument(keys.sessionPrefix(userID)), bound,
            ]
        )
        return try Self.integer(reply) == 1
    }

    /// Implements `TokenStore.revokeAllSessions(userID:)`; see the protocol for the contract.
    @discardableResult
    public func revokeAllSessions(userID: String) async throws -> Int {
        try TokenStoreLimits.checkUserID(userID)
        return try await endSessions(userID: userID, now: clock.now(), epochRetainedUntil: 0)
    }

    /// Implements `TokenStore.check(_:)`; see the protocol for the contract.
    ///
    /// Without a session touch the check only reads, so its reads go out as one pipeline (one write, one round
    /// trip) and the script's rules are applied here; with a touch it runs the check script, which writes.
    public func check(_ check: AccessCheck) async throws -> AccessStatus {
        try check.validate()
        let now = clock.now()
        if check.touchSession || readOnlyCheckRunsScript {
            return try await scriptCheck(check, now: now)
        }
        return try await pipelinedCheck(check, now: now)
    }

    /// The check as one run of ``RedisTokenStoreScripts/check``, touching the session when the check asks to.
    func scriptCheck(_ check: AccessCheck, now: UnixTime) async throws -> AccessStatus {
        let sessionID = check.sessionID ?? ""
        let reply = try await eval(
            RedisTokenStoreScripts.check,
            keys: [
                keys.revoked(check.userID, jti: check.jti ?? ""), keys.epoch(check.userID),
                keys.session(check.userID, sessionID), keys.sessions(check.userID),
            ],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(check.epochCutoff.milliseconds),
                RedisArgument(check.jti == nil ? 0 : 1), RedisArgument(check.sessionID == nil ? 0 : 1),
                RedisArgument(check.touchSession ? 1 : 0), margin, RedisArgument(sessionID),
                RedisArgument(keys.sessionPrefix(check.userID)), bound,
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

    /// The read-only check: the check script's reads (`GET` of the denylist entry when the token has a jti,
    /// `HMGET` of the epoch, `HMGET` of the session's `exp reuse created` when it has a session id) in one
    /// pipeline, and its rules in
    /// the same order. redis-server runs a script several times slower than these plain reads, which made the
    /// script the bound of `authenticate`. It never touches the session (`check.touchSession` is ignored here).
    ///
    /// Not atomic, unlike the script: the reads run one after another on the server (in order, on one
    /// connection), and another client's command may run between them. That cannot turn a refusal into an
    /// acceptance, because every record read only ever gets stricter while it still matters: a denylist entry is
    /// only added or extended, the epoch's `at` and `until` only move forward, and a session that has ended
    /// (deleted, tombstoned for reuse, past `exp` by this check's `now`, or created at or before the epoch) never
    /// comes back — touch and rotation refuse a session already past `exp`, ended by the epoch, or missing from
    /// the index. So if each read shows no restriction at its own instant, none was
    /// there at the first read's instant either, and `.valid` is exactly what the script would have answered had
    /// it run then: a revocation, logout-everywhere or session end landing between the reads takes effect as if
    /// it had come just after the check, as it would had the check run a moment earlier. The one visible race
    /// changes only the reason of a refusal: a logout-everywhere (one script: epoch moved and sessions deleted)
    /// that lands between the epoch read and the session read gives `.sessionEnded` where the script, run before
    /// or after it, would say `.valid` or `.predatesEpoch`; the token is refused either way, as it is by the
    /// script run a moment later. Expiry is decided by comparing stored instants with `now`, as in the script; a
    /// key vanishing by TTL between reads is one that no longer matters (TTLs run a margin past that).
    func pipelinedCheck(_ check: AccessCheck, now: UnixTime) async throws -> AccessStatus {
        var commands: [[RedisArgument]] = []
        if let jti = check.jti {
            commands.append(["GET", keys.revoked(check.userID, jti: jti)])
        }
        commands.append(["HMGET", keys.epoch(check.userID), "at", "until"])
        if let sessionID = check.sessionID {
            commands.append(["HMGET", keys.session(check.userID, sessionID), "exp", "reuse", "created"])
        }
        let replies = try await pipeline(commands)
        guard replies.count == commands.count else {
            throw Self.corrupt("the check's reads")
        }
        for reply in replies {
            if case .error(let message) = reply {
                throw Self.unavailable(RedisError(.server, message))
            }
        }
        let nowMilliseconds = Double(now.milliseconds)
        var next = 0
        if check.jti != nil {
            // The script reads a value it cannot parse as "not revoked"; here it is corrupt, so it never passes.
            if let text = try Self.optionalString(replies[next]) {
                guard let revokedUntil = Self.number(text) else { throw Self.corrupt("the denylist entry") }
                if nowMilliseconds < revokedUntil { return .revoked }
            }
            next += 1
        }
        let cut = try Self.epochCut(try Self.fields(replies[next], count: 2), now: nowMilliseconds)
        next += 1
        if let cut, Double(check.epochCutoff.milliseconds) <= cut {
            return .predatesEpoch
        }
        guard check.sessionID != nil else { return .valid }
        let session = try Self.fields(replies[next], count: 3)
        let isAlive = try Self.sessionIsAlive(
            expires: session[0],
            reuse: session[1],
            created: session[2],
            now: nowMilliseconds,
            cut: cut
        )
        return isAlive ? .valid : .sessionEnded
    }

    /// The user's epoch cut-off (`at`) when it is still remembered at `now` (before `until`), from the fields
    /// `at`, `until`: what the scripts' `epochAt` answers. The script fails on a missing or unparsable `until` and
    /// on an unparsable `at` once `until` is in the future; here either is corrupt whatever `until` says.
    static func epochCut(_ fields: [String?], now: Double) throws(TokenStoreError) -> Double? {
        guard let at = fields[0] else { return nil }
        guard let cut = number(at), let until = fields[1].flatMap(number) else {
            throw corrupt("the user's epoch")
        }
        return now < until ? cut : nil
    }

    /// Whether a session whose hash holds these `exp`, `reuse` and `created` fields is alive at `now` under the
    /// epoch cut-off `cut`: the rule of the scripts' `alive`, for the reads done here (the conformance suites,
    /// run with and without the check script, hold the two together). A session is alive when it is not a reuse
    /// tombstone, not past its idle expiry, and created after the epoch — whatever clock recorded either.
    static func sessionIsAlive(
        expires: String?,
        reuse: String?,
        created: String?,
        now: Double,
        cut: Double?
    ) throws(TokenStoreError) -> Bool {
        guard let expires, reuse != "1" else { return false }
        guard let expiresAt = number(expires) else { throw corrupt("the session") }
        guard now < expiresAt else { return false }
        guard let cut else { return true }
        guard let createdAt = created.flatMap(number) else { throw corrupt("the session") }
        return createdAt > cut
    }

    /// A stored number as Lua's `tonumber` reads it, for the values the scripts write (`%.0f` integers): a
    /// decimal (or hexadecimal) number without surrounding spaces. Anything else, and infinities or NaN, is `nil`,
    /// which callers treat as corrupt rather than as absent.
    static func number(_ text: String) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    private static func optionalString(_ reply: RedisReply) throws(TokenStoreError) -> String? {
        switch reply {
        case .null: return nil
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        default: throw corrupt("GET")
        }
    }

    private var margin: RedisArgument {
        RedisArgument(marginMilliseconds)
    }

    /// The most index entries a script walks: the hard cap of live sessions per user.
    private var bound: RedisArgument {
        RedisArgument(TokenStoreLimits.maxSessionsPerUser)
    }

    private func endSessions(userID: String, now: UnixTime, epochRetainedUntil: Int64) async throws -> Int {
        let reply = try await eval(
            RedisTokenStoreScripts.endSessions,
            keys: [keys.sessions(userID), keys.epoch(userID)],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(keys.sessionPrefix(userID)), margin,
                RedisArgument(epochRetainedUntil), bound,
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

    /// Counted as one call: the commands go out in one write and come back in one round trip.
    private func pipeline(_ commands: [[RedisArgument]]) async throws -> [RedisReply] {
        commandsSent.add(1, ordering: .relaxed)
        do {
            return try await client.pipeline(commands)
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
