public import PermissionCache

/// The behaviour every `PermissionStore` must show, as checks a test runs against any implementation:
/// the in-memory store under a `ManualClock`, or a Redis store against a real server with real sleeps.
public struct PermissionStoreConformance: Sendable {
    /// One behaviour of the store to check: `conformance.run(check)`, one parameterised test per case.
    public enum PermissionStoreCheck: String, CaseIterable, Sendable, CustomStringConvertible {
        /// A lookup misses, a save under the version it returned succeeds, and the next lookup hits.
        case missSaveHit
        /// An unknown-user entry is stored and returned as such, distinct from a miss.
        case negativeEntry
        /// Grants with colons, stars, spaces, newlines and non-ASCII text come back exactly.
        case grantsRoundTrip
        /// An entry is gone once its TTL has passed.
        case entryExpires
        /// Invalidating a user drops the entry and refuses a save under the version read before it.
        case invalidateUser
        /// Invalidating one user leaves other users' entries alone.
        case invalidateIsPerUser
        /// Invalidate-all drops every user's entry, and an entry saved under an earlier version never shows.
        case invalidateAll
        /// After an invalidation, a fresh lookup's version allows a save again.
        case saveAfterInvalidation

        /// The text shown when the value is printed or logged.
        public var description: String { rawValue }
    }

    private let makeStore: @Sendable () async throws -> any PermissionStore
    private let advance: @Sendable (Duration) async throws -> Void
    private let ttl: Duration

    /// Creates the checks.
    ///
    /// - Parameters:
    ///   - ttl: the TTL the expiry check uses; short (a few hundred milliseconds) when `advance` really sleeps.
    ///   - makeStore: a fresh store for each check (user ids are also unique per check).
    ///   - advance: moves the store's time forward: `ManualClock.advance` in memory, `Task.sleep` for a server.
    public init(
        ttl: Duration = .seconds(60),
        makeStore: @escaping @Sendable () async throws -> any PermissionStore,
        advance: @escaping @Sendable (Duration) async throws -> Void
    ) {
        self.ttl = ttl
        self.makeStore = makeStore
        self.advance = advance
    }

    /// Runs one check; throws ``ConformanceFailure`` when the store misbehaves.
    public func run(_ check: PermissionStoreCheck) async throws {
        let store = try await makeStore()
        let user = "user-\(check.rawValue)-\(UInt32.random(in: 0...UInt32.max))"
        let other = user + "-other"
        let name = check.rawValue
        let grants: PermissionSet = ["orders:read", "orders:*", "admin"]
        let hour = Duration.seconds(3600)
        switch check {
        case .missSaveHit:
            let miss = try await store.lookup(user: user)
            try ConformanceFailure.require(miss.entry == nil, name, "fresh user has an entry")
            let saved = try await store.save(.init(permissions: grants), for: user, ttl: hour, ifVersion: miss.version)
            try ConformanceFailure.require(saved, name, "save under the current version was refused")
            let hit = try await store.lookup(user: user)
            try ConformanceFailure.require(
                hit.entry?.permissions == grants,
                name,
                "lookup after save: \(String(describing: hit.entry))"
            )
        case .negativeEntry:
            let miss = try await store.lookup(user: user)
            let saved = try await store.save(.unknownUser, for: user, ttl: hour, ifVersion: miss.version)
            try ConformanceFailure.require(saved, name, "saving an unknown-user entry was refused")
            let hit = try await store.lookup(user: user)
            try ConformanceFailure.require(
                hit.entry != nil && hit.entry?.permissions == nil,
                name,
                "unknown-user entry came back as \(String(describing: hit.entry))"
            )
        case .grantsRoundTrip:
            let odd: PermissionSet = ["a:b:c", "*", "x:*", "with space", "new\nline", "ünïcødé:読む", "12:34", ""]
            let miss = try await store.lookup(user: user)
            _ = try await store.save(.init(permissions: odd), for: user, ttl: hour, ifVersion: miss.version)
            let hit = try await store.lookup(user: user)
            try ConformanceFailure.require(
                hit.entry?.permissions == odd,
                name,
                "grants changed in storage: \(String(describing: hit.entry?.permissions))"
            )
            let emptyMiss = try await store.lookup(user: other)
            _ = try await store.save(.init(permissions: .empty), for: other, ttl: hour, ifVersion: emptyMiss.version)
            let emptyHit = try await store.lookup(user: other)
            try ConformanceFailure.require(
                emptyHit.entry?.permissions == .empty,
                name,
                "an empty set must be cached as empty, not as a miss or unknown user"
            )
        case .entryExpires:
            let miss = try await store.lookup(user: user)
            _ = try await store.save(.init(permissions: grants), for: user, ttl: ttl, ifVersion: miss.version)
            try await advance(ttl + ttl / 2)
            let later = try await store.lookup(user: user)
            try ConformanceFailure.require(later.entry == nil, name, "entry outlived its TTL")
        case .invalidateUser:
            let miss = try await store.lookup(user: user)
            _ = try await store.save(.init(permissions: grants), for: user, ttl: hour, ifVersion: miss.version)
            try await store.invalidate(user: user)
            let after = try await store.lookup(user: user)
            try ConformanceFailure.require(after.entry == nil, name, "entry survived invalidate(user)")
            try ConformanceFailure.require(after.version != miss.version, name, "invalidate did not change the version")
            let stale = try await store.save(.init(permissions: grants), for: user, ttl: hour, ifVersion: miss.version)
            try ConformanceFailure.require(!stale, name, "a save under the pre-invalidation version was accepted")
            let still = try await store.lookup(user: user)
            try ConformanceFailure.require(still.entry == nil, name, "stale save became visible")
        case .invalidateIsPerUser:
            for id in [user, other] {
                let miss = try await store.lookup(user: id)
                _ = try await store.save(.init(permissions: grants), for: id, ttl: hour, ifVersion: miss.version)
            }
            try await store.invalidate(user: user)
            let kept = try await store.lookup(user: other)
            try ConformanceFailure.require(kept.entry?.permissions == grants, name, "another user's entry was dropped")
        case .invalidateAll:
            var versions: [PermissionVersion] = []
            for id in [user, other] {
                let miss = try await store.lookup(user: id)
                versions.append(miss.version)
                _ = try await store.save(.init(permissions: grants), for: id, ttl: hour, ifVersion: miss.version)
            }
            let pending = try await store.lookup(user: user + "-pending")
            try await store.invalidateAll()
            for id in [user, other] {
                let after = try await store.lookup(user: id)
                try ConformanceFailure.require(after.entry == nil, name, "\(id)'s entry survived invalidateAll")
            }
            _ = try await store.save(
                .init(permissions: grants),
                for: user + "-pending",
                ttl: hour,
                ifVersion: pending.version
            )
            let afterStale = try await store.lookup(user: user + "-pending")
            try ConformanceFailure.require(
                afterStale.entry == nil,
                name,
                "an entry saved under the pre-invalidateAll version became visible"
            )
        case .saveAfterInvalidation:
            try await store.invalidate(user: user)
            try await store.invalidateAll()
            let fresh = try await store.lookup(user: user)
            let saved = try await store.save(.init(permissions: grants), for: user, ttl: hour, ifVersion: fresh.version)
            try ConformanceFailure.require(saved, name, "save under the fresh version was refused")
            let hit = try await store.lookup(user: user)
            try ConformanceFailure.require(hit.entry?.permissions == grants, name, "saved entry not returned")
        }
    }
}
