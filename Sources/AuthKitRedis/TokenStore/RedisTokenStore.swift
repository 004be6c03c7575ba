public import AuthKitClock
public import Logging
public import RedisClient
import Synchronization
@_spi(TokenStoreImplementation) public import TokenStore

/// A `TokenStore` in Redis: revocations, epochs, refresh-token families and sessions shared by every
/// process of an application, ready for Redis Cluster.
///
/// Every check-and-change is one Lua script over the keys of one user, which all carry the user's hash tag
/// (`authkit:{u:<uid>}:…`), so each call is one round trip on one slot. The authenticate check is one command:
/// by default (no session touch) one `MGET` of the small string keys the scripts keep beside the full records for
/// it (the denylist entry, the epoch's `epoch-cut` and the session's `live:<sid>`), judged by the rules of
/// `AccessRecords`; a script when it touches the session. See ``check(_:)`` for the reads of records written before
/// those keys existed.
/// Time comes from the injected `TimeSource` and is passed to the scripts, which decide every rule by
/// comparing recorded instants with it; TTLs (every key has one) only reclaim memory, a margin after a record
/// stops mattering. Refresh tokens are stored only as SHA-256 digests. No SCAN or KEYS is ever used: a user's
/// sessions are listed from a sorted set that every write prunes.
///
/// Call ``checkMemoryPolicy()`` once at start (``start(client:configuration:clock:logger:)`` does): an evicting
/// `maxmemory-policy` could silently drop denylist entries.
public final class RedisTokenStore: TokenStore {
    private let client: RedisClient
    private let keys: RedisKeyspace
    private let clock: TimeSource
    private let marginMilliseconds: Int64
    /// Calls made to Redis so far (a pipeline counts once); tests read it to prove the authenticate check is one
    /// round trip.
    let commandsSent = Atomic<Int>(0)
    /// How a check without a session touch reads its records: ``AccessCheckReads/keys`` but in tests, which hold
    /// every way of checking to the same conformance suite.
    let checkReads: AccessCheckReads
    /// The settings the store was created with.
    public let configuration: RedisTokenStoreConfiguration

    /// Creates a store on `client`; throws `TokenStoreError.Code.invalidConfiguration` for a key
    /// prefix containing `{` or `}` or an expiry margin under one millisecond.
    public convenience init(
        client: RedisClient,
        configuration: RedisTokenStoreConfiguration = RedisTokenStoreConfiguration(),
        clock: TimeSource = .system
    ) throws(TokenStoreError) {
        try self.init(client: client, configuration: configuration, clock: clock, checkReads: .keys)
    }

    init(
        client: RedisClient,
        configuration: RedisTokenStoreConfiguration,
        clock: TimeSource,
        checkReads: AccessCheckReads
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
        self.keys = RedisKeyspace(
            prefix: configuration.keyPrefix,
            sharded: client.configuration.topology.cluster != nil
        )
        self.clock = clock
        self.marginMilliseconds = Self.milliseconds(configuration.expiryMargin)
        self.checkReads = checkReads
    }

    /// Creates a store and checks the server's eviction policy (see ``checkMemoryPolicy()``), logging a
    /// warning to `logger` when the policy could evict revocations (strict mode throws instead).
    public static func start(
        client: RedisClient,
        configuration: RedisTokenStoreConfiguration = RedisTokenStoreConfiguration(),
        clock: TimeSource = .system,
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
            keys: [keys.revoked(userID, jti: jti), keys.feed(userID)],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(until.milliseconds), margin, RedisArgument(userID),
                RedisArgument(jti), feedRetention,
            ]
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
        return try RedisAccessRecords.epoch(fields: Self.elements(reply, count: 2))?.cut(at: now)
    }

    /// Implements `TokenStore.createSession(_:)`; see the protocol for the contract.
    public func createSession(_ request: NewSession) async throws -> SessionGrant {
        try request.validate()
        let sessionID = Session.newID()
        let token = RefreshToken.issue(userID: request.userID, sessionID: sessionID)
        let device = request.device.truncated
        let now = clock.now()
        let lifetime = request.lifetime
        let reply = try await evalOverSessions(
            RedisTokenStoreScripts.createSession,
            userID: request.userID,
            keys: [
                keys.sessions(request.userID), keys.epoch(request.userID), keys.session(request.userID, sessionID),
                keys.live(request.userID, sessionID), keys.feed(request.userID),
            ],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(sessionID), RedisArgument(token.digest),
                RedisArgument(device.name), RedisArgument(device.ipAddress), RedisArgument(device.userAgent),
                RedisArgument(Self.milliseconds(lifetime.absolute)), RedisArgument(Self.milliseconds(lifetime.idle)),
                RedisArgument(Self.milliseconds(lifetime.reuseGracePeriod)),
                RedisArgument(request.policy.effectiveLimit),
                RedisArgument(request.policy.overflow == .refuseNewLogin ? 1 : 0), margin,
                RedisArgument(keys.sessionPrefix(request.userID)), bound, RedisArgument(request.claims),
                RedisArgument(request.userID), feedRetention,
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
                keys.live(token.userID, token.sessionID), keys.feed(token.userID),
            ],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(token.digest), RedisArgument(next),
                RedisArgument(TokenStoreLimits.retiredDigestHistory), margin, RedisArgument(token.sessionID),
                RedisArgument(inspect ? 1 : 0), RedisArgument(token.userID), feedRetention,
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
        let reply = try await evalOverSessions(
            RedisTokenStoreScripts.listSessions,
            userID: userID,
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
        let now = clock.now()
        let replies = try await pipeline([
            ["HMGET", keys.session(userID, sessionID), "name", "ip", "ua", "created", "seen", "exp", "abs", "reuse"],
            ["HMGET", keys.epoch(userID), "at", "until"],
        ])
        guard replies.count == 2 else { throw Self.corrupt("the session's reads") }
        let fields = try Self.elements(replies[0], count: 8)
        let epoch = try RedisAccessRecords.epoch(fields: Self.elements(replies[1], count: 2))
        guard let record = try RedisAccessRecords.session(fields: [fields[5], fields[7], fields[3]]),
            record.isAlive(at: now, epochCut: epoch?.cut(at: now))
        else {
            return nil
        }
        return try Self.session(id: sessionID, userID: userID, fields: fields.prefix(7).map(\.string))
    }

    /// Implements `TokenStore.touchSession(userID:sessionID:)`; see the protocol for the contract.
    @discardableResult
    public func touchSession(userID: String, sessionID: String) async throws -> Bool {
        try TokenStoreLimits.checkUserID(userID)
        try TokenStoreLimits.checkSessionID(sessionID)
        let now = clock.now()
        let reply = try await eval(
            RedisTokenStoreScripts.touchSession,
            keys: [
                keys.session(userID, sessionID), keys.sessions(userID), keys.epoch(userID),
                keys.live(userID, sessionID),
            ],
            arguments: [RedisArgument(now.milliseconds), margin, RedisArgument(sessionID)]
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
            keys: [
                keys.session(userID, sessionID), keys.sessions(userID), keys.epoch(userID),
                keys.live(userID, sessionID), keys.feed(userID),
            ],
            arguments: [
                RedisArgument(now.milliseconds), margin, RedisArgument(sessionID), RedisArgument(userID), feedRetention,
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
    /// The records are read in one command and judged by `AccessRecords.status(of:at:)`, the rules every store
    /// shares:
    /// - By default (no session touch, a token with a session): one `MGET` of the check's keys — the denylist entry,
    ///   `epoch-cut` and the session's `live:<sid>` — which the scripts keep in step with the full records. When the
    ///   session has no such key, the token is refused unless the session's full record says otherwise, which one
    ///   more read (the full-record reads below) settles: the session ended, or it was created before this version
    ///   wrote the key (an upgrade) and is read from its hash until its next refresh or touch writes the key.
    /// - A token without a session (a legacy token, direct store use), and every token issued at or before
    ///   ``RedisTokenStoreConfiguration/previousVersionWritesUntil``: the full records — `GET` of the denylist entry,
    ///   `HMGET` of the epoch and of the session hash — in one pipeline, as versions before the check keys read them.
    /// - With a session touch: one run of the check script, which reads the full records, returns them, and touches
    ///   the session when the verdict on them is `valid`.
    public func check(_ check: AccessCheck) async throws -> AccessStatus {
        try check.validate()
        let now = clock.now()
        if check.touchSession || checkReads == .script {
            return try await scriptCheck(check, now: now)
        }
        let fromPreviousVersion = configuration.previousVersionWritesUntil.map { check.issuedAt <= $0 } ?? false
        guard checkReads == .keys, let sessionID = check.sessionID, !fromPreviousVersion else {
            return try await recordsCheck(check, now: now)
        }
        return try await keysCheck(check, sessionID: sessionID, now: now)
    }

    /// The default check: one `MGET` of the check keys; the full records only for a session without its key.
    func keysCheck(_ check: AccessCheck, sessionID: String, now: UnixTime) async throws -> AccessStatus {
        var command: [RedisArgument] = ["MGET"]
        if let jti = check.jti {
            command.append(keys.revoked(check.userID, jti: jti))
        }
        command.append(keys.epochCut(check.userID))
        command.append(keys.live(check.userID, sessionID))
        let values = try Self.elements(try await send(command), count: command.count - 1)
        let records = AccessRecords(
            revokedUntil: check.jti == nil ? nil : try RedisAccessRecords.revokedUntil(values[0]),
            epoch: try RedisAccessRecords.epoch(key: values[values.count - 2]),
            session: try RedisAccessRecords.session(key: values[values.count - 1])
        )
        let status = records.status(of: check, at: now)
        guard status == .sessionEnded, records.session == nil else {
            return status
        }
        return try await recordsCheck(check, now: now)
    }

    /// The check over the full records, read in one pipeline: `GET` of the denylist entry (a token with a jti),
    /// `HMGET` of the epoch hash, `HMGET` of the session hash's `exp reuse created` (a token with a sid).
    ///
    /// Not atomic, and safe without a script: every record read only gets stricter while it matters, so reads that
    /// each show no restriction answer what an atomic read would have. Why:
    /// Documentation/RedisDataLayout.md#why-the-full-record-reads-need-no-script
    func recordsCheck(_ check: AccessCheck, now: UnixTime) async throws -> AccessStatus {
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
        let epochAt = check.jti == nil ? 0 : 1
        let records = AccessRecords(
            revokedUntil: check.jti == nil ? nil : try RedisAccessRecords.revokedUntil(replies[0]),
            epoch: try RedisAccessRecords.epoch(fields: Self.elements(replies[epochAt], count: 2)),
            session: check.sessionID == nil
                ? nil : try RedisAccessRecords.session(fields: Self.elements(replies[epochAt + 1], count: 3))
        )
        return records.status(of: check, at: now)
    }

    /// The check as one run of ``RedisTokenStoreScripts/check``: the full records as the script read them, judged
    /// here; the script touched the session when the check asks to and the verdict is `valid`.
    func scriptCheck(_ check: AccessCheck, now: UnixTime) async throws -> AccessStatus {
        let sessionID = check.sessionID ?? ""
        let reply = try await eval(
            RedisTokenStoreScripts.check,
            keys: [
                keys.revoked(check.userID, jti: check.jti ?? ""), keys.epoch(check.userID),
                keys.session(check.userID, sessionID), keys.sessions(check.userID), keys.live(check.userID, sessionID),
            ],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(check.epochCutoff.milliseconds),
                RedisArgument(check.jti == nil ? 0 : 1), RedisArgument(check.sessionID == nil ? 0 : 1),
                RedisArgument(check.touchSession ? 1 : 0), margin, RedisArgument(sessionID),
            ]
        )
        let values = try Self.elements(reply, count: 6)
        let records = AccessRecords(
            revokedUntil: try RedisAccessRecords.revokedUntil(values[0]),
            epoch: try RedisAccessRecords.epoch(fields: Array(values[1...2])),
            session: try RedisAccessRecords.session(fields: Array(values[3...5]))
        )
        return records.status(of: check, at: now)
    }

    private var margin: RedisArgument {
        RedisArgument(marginMilliseconds)
    }

    /// How long the revocation feed keeps entries, in milliseconds (the scripts trim by it).
    private var feedRetention: RedisArgument {
        RedisArgument(Self.milliseconds(RevocationMirrorPolicy.feedRetention))
    }

    /// The most index entries a script walks: the hard cap of live sessions per user.
    private var bound: RedisArgument {
        RedisArgument(TokenStoreLimits.maxSessionsPerUser)
    }

    private func endSessions(userID: String, now: UnixTime, epochRetainedUntil: Int64) async throws -> Int {
        let reply = try await evalOverSessions(
            RedisTokenStoreScripts.endSessions,
            userID: userID,
            keys: [keys.sessions(userID), keys.epoch(userID), keys.epochCut(userID), keys.feed(userID)],
            arguments: [
                RedisArgument(now.milliseconds), RedisArgument(keys.sessionPrefix(userID)), margin,
                RedisArgument(epochRetainedUntil), bound, RedisArgument(userID), feedRetention,
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

    /// Runs a script that walks the user's sessions with every session's key declared (see
    /// Documentation/TokenStore.md#the-lua-scripts): reads the index, passes `keys` then the keys of each session in
    /// it (its hash and its check key `live:<sid>`), and when the script answers RETRY (a login would have to evict a
    /// session added in between; nothing changed) reads the index and runs again, after a short random pause that
    /// spreads logins racing for the same user.
    ///
    /// The read covers the first two `bound`s of the index: a script walks at most `bound` entries, and listing
    /// walks the first `bound` live ones, which follow the expired ones a login has not dropped yet (the index is
    /// ordered by expiry).
    private func evalOverSessions(
        _ script: RedisScript,
        userID: String,
        keys leading: [RedisArgument],
        arguments: [RedisArgument]
    ) async throws -> RedisReply {
        let sessionPrefix = Array(keys.sessionPrefix(userID).utf8)
        let livePrefix = Array(keys.livePrefix(userID).utf8)
        for _ in 0..<Self.sessionScriptAttempts {
            let index = try await send([
                "ZRANGE", keys.sessions(userID), "0", RedisArgument(2 * TokenStoreLimits.maxSessionsPerUser - 1),
            ])
            guard let ids = index.array?.compactMap(\.bytes) else {
                throw Self.corrupt("the sessions index")
            }
            let reply = try await eval(
                script,
                keys: leading + ids.flatMap { [RedisArgument(sessionPrefix + $0), RedisArgument(livePrefix + $0)] },
                arguments: arguments
            )
            guard case .status("RETRY") = reply else {
                return reply
            }
            try await Task.sleep(for: .microseconds(Int.random(in: 0...2000)))
        }
        throw TokenStoreError(
            .storeUnavailable,
            "other logins of the user changed the session index before each of \(Self.sessionScriptAttempts) attempts"
        )
    }

    /// How often a login over a user's sessions is tried before giving up on a user whose logins never pause.
    private static let sessionScriptAttempts = 32

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

    static func corrupt(_ operation: String) -> TokenStoreError {
        TokenStoreError(.corruptRecord, "Redis answered \(operation) with a reply of an unexpected shape")
    }

    private static func integer(_ reply: RedisReply) throws(TokenStoreError) -> Int64 {
        guard let value = reply.integer else {
            throw corrupt("a script")
        }
        return value
    }

    /// The elements of an array reply of `count` elements (an `HMGET`, an `MGET`, a script's values).
    static func elements(_ reply: RedisReply, count: Int) throws(TokenStoreError) -> [RedisReply] {
        guard let items = reply.array, items.count == count else {
            throw corrupt("a read of \(count) values")
        }
        return items
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
        duration.ttl(in: .milliseconds)
    }
}
