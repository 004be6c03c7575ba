public import AuthKitClock
import Synchronization

/// Cache-aside for user permissions: answers from the cache, or calls the application's loader once and
/// caches what it returns.
///
/// ```swift
/// let cache = PermissionCache(store: store, invalidationChannel: channel)
/// let permissions = try await cache.permissions(for: "42") { id in try await db.permissions(of: id) }
/// try await cache.invalidate("42")       // after changing the user's roles
/// ```
///
/// Concurrent misses for one user in this process share a single loader call. With a ``PermissionCacheConfiguration/localTTL``,
/// entries are also kept in this process for that long; call ``run()`` (for example as a service) to listen on
/// the invalidation channel, because local entries are only trusted while that subscription is live.
public final class PermissionCache: Sendable {
    /// The longest user id accepted, in UTF-8 bytes.
    public static let maximumUserIDLength = 256

    /// The application's source of truth: the user's permissions, or `nil` when the user does not exist.
    public typealias Loader = @Sendable (_ user: String) async throws -> PermissionSet?

    private struct Flight {
        let id: UInt64
        let task: Task<PermissionSet?, any Error>
        /// How many callers wait on this load, its starter included.
        var callers = 1
    }

    private enum Step {
        case hit(PermissionSet?)
        case wait(Task<PermissionSet?, any Error>)
    }

    private struct LocalEntry {
        var permissions: PermissionSet?
        var expiresAt: UnixTime
    }

    private struct State {
        var flights: [String: Flight] = [:]
        var nextFlightID: UInt64 = 0
        var local: [String: LocalEntry] = [:]
        /// Bumped by every invalidation seen here and by every change of the subscription (lost or made), so that a
        /// fill that started before one is discarded.
        var invalidations: UInt64 = 0
        var listening = false

        mutating func drop(_ invalidation: PermissionInvalidation) {
            invalidations &+= 1
            if let user = invalidation.user {
                local.removeValue(forKey: user)
                flights.removeValue(forKey: user)
            } else {
                local.removeAll()
                flights.removeAll()
            }
        }

        /// The subscription is live from now on. A lookup that started before may have read an entry that an
        /// invalidation published meanwhile (unseen here) made stale, so every earlier fill is discarded.
        mutating func subscribed() {
            drop(.all)
            listening = true
        }

        /// The subscription is lost: nothing local is trusted, and what is there is gone.
        mutating func unsubscribed() {
            listening = false
            drop(.all)
        }
    }

    /// The shared store.
    public let store: any PermissionStore
    /// TTLs and failure behaviour.
    public let configuration: PermissionCacheConfiguration
    /// The pub/sub transport for invalidations, if any.
    public let invalidationChannel: (any PermissionInvalidationChannel)?
    private let clock: TimeSource
    private let state = Mutex(State())

    /// Creates a cache over `store`; pass an `invalidationChannel` when a local cache is configured and several
    /// processes share the store.
    public init(
        store: any PermissionStore,
        configuration: PermissionCacheConfiguration = PermissionCacheConfiguration(),
        invalidationChannel: (any PermissionInvalidationChannel)? = nil,
        clock: TimeSource = .system
    ) {
        self.store = store
        self.configuration = configuration
        self.invalidationChannel = invalidationChannel
        self.clock = clock
    }

    /// Whether ``run()`` currently holds a live subscription to the invalidation channel.
    public var isListening: Bool {
        state.withLock { $0.listening }
    }

    /// How many callers wait on the load now in flight for `user` (0 when none is): tests wait for it instead of
    /// sleeping.
    func callersWaitingForLoad(of user: String) -> Int {
        state.withLock { $0.flights[user]?.callers ?? 0 }
    }

    /// The user's permissions from the cache, or from one call of `load` whose answer is then cached.
    ///
    /// A `nil` answer (unknown user) is cached for ``PermissionCacheConfiguration/negativeTTL``. A loader
    /// error is thrown to every caller waiting on that load and is not cached.
    /// - Returns: the permissions, or `nil` when the user does not exist.
    public func permissions(for user: String, load: @escaping Loader) async throws -> PermissionSet? {
        try Self.validate(user)
        let now = clock.now()
        let step = state.withLock { state -> Step in
            if localUsable(state), let hit = state.local[user] {
                if hit.expiresAt > now {
                    return .hit(hit.permissions)
                }
                state.local.removeValue(forKey: user)
            }
            if let task = state.flights[user]?.task {
                state.flights[user]?.callers += 1
                return .wait(task)
            }
            state.nextFlightID &+= 1
            let id = state.nextFlightID
            let mark = state.invalidations
            let task = Task { try await self.resolve(user, load: load, flight: id, mark: mark) }
            state.flights[user] = Flight(id: id, task: task)
            return .wait(task)
        }
        switch step {
        case .hit(let permissions):
            return permissions
        case .wait(let task):
            return try await task.value
        }
    }

    /// Drops the user's cached permissions here, in the store, and (through the channel) in other processes.
    ///
    /// Once it returns, no lookup on this instance returns the set cached before: the local copy is dropped again
    /// after the store has recorded the invalidation, so a lookup that read the store meanwhile cannot leave it
    /// behind.
    ///
    /// - Throws: ``PermissionCacheError/Code/storeUnavailable`` when the store did not record it, or
    ///   ``PermissionCacheError/Code/channelUnavailable`` when only the broadcast failed.
    public func invalidate(_ user: String) async throws {
        try Self.validate(user)
        try await invalidate(.user(user))
    }

    /// Drops every user's cached permissions with one version bump, here, in the store and elsewhere.
    ///
    /// - Throws: as ``invalidate(_:)``.
    public func invalidateAll() async throws {
        try await invalidate(.all)
    }

    /// Listens on the invalidation channel until the task is cancelled, resubscribing after failures.
    ///
    /// Returns at once when the cache has no channel. Local entries are trusted only while subscribed: losing
    /// the subscription empties the local cache, so a missed message can never extend staleness past it.
    public func run() async throws {
        guard let channel = invalidationChannel else { return }
        while !Task.isCancelled {
            do {
                let messages = try await channel.subscribe()
                state.withLock { $0.subscribed() }
                for await message in messages {
                    state.withLock { $0.drop(message) }
                }
            } catch is CancellationError {
                break
            } catch {
                // Resubscribe below; while down, nothing is served from the local cache.
            }
            state.withLock { $0.unsubscribed() }
            guard !Task.isCancelled else { break }
            try? await Task.sleep(for: configuration.resubscribeDelay)
        }
        state.withLock { $0.unsubscribed() }
    }

    private func invalidate(_ invalidation: PermissionInvalidation) async throws {
        state.withLock { $0.drop(invalidation) }
        // A lookup between the drop above and the store's invalidation reads the old entry and may cache it here;
        // dropping again once the store has answered (or failed) leaves nothing of it behind.
        defer { state.withLock { $0.drop(invalidation) } }
        do {
            if let user = invalidation.user {
                try await store.invalidate(user: user)
            } else {
                try await store.invalidateAll()
            }
        } catch {
            throw PermissionCacheError(.storeUnavailable, "\(invalidation) was not recorded by the store: \(error)")
        }
        guard let channel = invalidationChannel else { return }
        do {
            try await channel.publish(invalidation)
        } catch {
            throw PermissionCacheError(
                .channelUnavailable,
                "\(invalidation) was recorded but not broadcast; other local caches expire within their TTL: \(error)"
            )
        }
    }

    private func resolve(_ user: String, load: Loader, flight: UInt64, mark: UInt64) async throws -> PermissionSet? {
        defer {
            state.withLock { state in
                if state.flights[user]?.id == flight {
                    state.flights.removeValue(forKey: user)
                }
            }
        }
        var lookup: PermissionLookup?
        do {
            lookup = try await store.lookup(user: user)
        } catch {
            guard configuration.loadWhenStoreFails else {
                throw PermissionCacheError(.storeUnavailable, "permission store lookup failed: \(error)")
            }
        }
        if let entry = lookup?.entry {
            fillLocal(user, entry: entry, mark: mark)
            return entry.permissions
        }
        let loaded = try await load(user)
        guard let lookup else { return loaded }
        let entry = PermissionEntry(permissions: loaded)
        let ttl = loaded == nil ? configuration.negativeTTL : configuration.ttl
        // A failed save only costs a later reload, so it is not worth failing the caller over.
        let saved = (try? await store.save(entry, for: user, ttl: ttl, ifVersion: lookup.version)) ?? false
        if saved {
            fillLocal(user, entry: entry, mark: mark)
        }
        return loaded
    }

    private func fillLocal(_ user: String, entry: PermissionEntry, mark: UInt64) {
        guard let localTTL = configuration.localTTL else { return }
        let ttl = min(localTTL, entry.permissions == nil ? configuration.negativeTTL : configuration.ttl)
        let now = clock.now()
        let limit = max(1, configuration.maximumLocalEntries)
        state.withLock { state in
            guard localUsable(state), state.invalidations == mark else { return }
            if state.local[user] == nil && state.local.count >= limit {
                state.local = state.local.filter { $0.value.expiresAt > now }
                if state.local.count >= limit, let victim = state.local.keys.first {
                    state.local.removeValue(forKey: victim)
                }
            }
            state.local[user] = LocalEntry(permissions: entry.permissions, expiresAt: now + ttl)
        }
    }

    private func localUsable(_ state: State) -> Bool {
        configuration.localTTL != nil && (invalidationChannel == nil || state.listening)
    }

    private static func validate(_ user: String) throws(PermissionCacheError) {
        guard !user.isEmpty, user.utf8.count <= maximumUserIDLength else {
            throw PermissionCacheError(.invalidUserID, "user id must be 1-\(maximumUserIDLength) bytes")
        }
    }
}
