public import AuthKitClock
import Synchronization

/// A ``PermissionStore`` in this process's memory, for tests and single-process apps.
///
/// Memory is bounded: expired entries are swept as the store is used, and when ``maximumUsers`` users are
/// held a save is declined (not caching is always safe in cache-aside). A user's changed version is kept for
/// ``versionRetention`` after an invalidation, longer than any load should take.
public final class InMemoryPermissionStore: PermissionStore {
    private struct UserState {
        var version: UInt64 = 0
        var entry: PermissionEntry?
        var entryGlobal: UInt64 = 0
        var entryExpiresAt = UnixTime(seconds: 0)
        var keepUntil = UnixTime(seconds: 0)
    }

    private struct State {
        var users: [String: UserState] = [:]
        var global: UInt64 = 0
        var operationsSinceSweep = 0

        mutating func sweepIfDue(now: UnixTime, force: Bool = false) {
            operationsSinceSweep += 1
            guard force || operationsSinceSweep >= 1024 else { return }
            users = users.filter { $0.value.keepUntil > now }
            operationsSinceSweep = 0
        }
    }

    /// The most users held at once.
    public let maximumUsers: Int
    /// How long a user's changed version outlives its invalidation.
    public let versionRetention: Duration
    private let clock: TimeSource
    private let state = Mutex(State())

    /// Creates an empty store that reads time from `clock`.
    public init(clock: TimeSource = .system, maximumUsers: Int = 100_000, versionRetention: Duration = .seconds(600)) {
        self.clock = clock
        self.maximumUsers = max(1, maximumUsers)
        self.versionRetention = versionRetention
    }

    /// The number of users with state held, expired or not (expired ones go at the next sweep).
    public var userCount: Int {
        state.withLock { $0.users.count }
    }

    /// Implements ``PermissionStore/lookup(user:)``.
    public func lookup(user: String) -> PermissionLookup {
        let now = clock.now()
        return state.withLock { state in
            state.sweepIfDue(now: now)
            let global = state.global
            guard let held = state.users[user], held.keepUntil > now else {
                return PermissionLookup(entry: nil, version: PermissionVersion(user: 0, global: global))
            }
            let valid = held.entry != nil && held.entryGlobal == global && held.entryExpiresAt > now
            return PermissionLookup(
                entry: valid ? held.entry : nil,
                version: PermissionVersion(user: held.version, global: global)
            )
        }
    }

    /// Implements ``PermissionStore/save(_:for:ttl:ifVersion:)``.
    public func save(
        _ entry: PermissionEntry,
        for user: String,
        ttl: Duration,
        ifVersion version: PermissionVersion
    )
        -> Bool
    {
        let now = clock.now()
        return state.withLock { state in
            state.sweepIfDue(now: now)
            let held = state.users[user].flatMap { $0.keepUntil > now ? $0 : nil }
            guard (held?.version ?? 0) == version.user, state.global == version.global, ttl > .zero else {
                return false
            }
            if held == nil && state.users.count >= maximumUsers {
                state.sweepIfDue(now: now, force: true)
                guard state.users.count < maximumUsers else { return false }
            }
            var updated = held ?? UserState()
            updated.entry = entry
            updated.entryGlobal = version.global
            updated.entryExpiresAt = now + ttl
            updated.keepUntil = max(updated.keepUntil, now + ttl)
            state.users[user] = updated
            return true
        }
    }

    /// Implements ``PermissionStore/invalidate(user:)``.
    public func invalidate(user: String) {
        let now = clock.now()
        state.withLock { state in
            state.sweepIfDue(now: now)
            if state.users[user] == nil && state.users.count >= maximumUsers {
                state.sweepIfDue(now: now, force: true)
                if state.users.count >= maximumUsers,
                    let victim = state.users.min(by: { $0.value.keepUntil < $1.value.keepUntil })?.key
                {
                    state.users.removeValue(forKey: victim)
                }
            }
            let current = state.users[user]?.version ?? 0
            var version = UInt64.random(in: 1...UInt64.max)
            while version == current {
                version = UInt64.random(in: 1...UInt64.max)
            }
            state.users[user] = UserState(version: version, keepUntil: now + versionRetention)
        }
    }

    /// Implements ``PermissionStore/invalidateAll()``.
    public func invalidateAll() {
        state.withLock { $0.global &+= 1 }
    }
}
