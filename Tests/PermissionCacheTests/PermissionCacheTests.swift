import AuthKitClock
import AuthKitTesting
import Synchronization
import Testing

@testable import PermissionCache

/// A loader backed by a mutable table, counting its calls, optionally held at a gate.
private final class Database: Sendable {
    struct Unavailable: Error {}

    let table: Mutex<[String: PermissionSet]>
    let loads = Atomic<Int>(0)
    let failing = Atomic<Bool>(false)
    private let gate = Gate()

    init(_ table: [String: PermissionSet]) {
        self.table = Mutex(table)
    }

    func close() {
        gate.close()
    }

    func open() {
        gate.open()
    }

    var loader: PermissionCache.Loader {
        { [self] user in
            loads.add(1, ordering: .relaxed)
            // Read first, answer after the gate: like a query whose reply is still in flight.
            let row = table.withLock { $0[user] }
            await gate.pass()
            if failing.load(ordering: .relaxed) { throw Unavailable() }
            return row
        }
    }
}

/// A store that fails on demand and counts lookups, around an in-memory store. Its lookups can be held after they
/// have read (a reply still in flight) and its invalidations before they are applied (a write on its way).
private final class CountingStore: PermissionStore {
    struct Down: Error {}

    let inner: InMemoryPermissionStore
    let lookups = Atomic<Int>(0)
    let failing = Atomic<Bool>(false)
    let lookupGate = Gate()
    let invalidateGate = Gate()

    init(clock: TimeSource) {
        inner = InMemoryPermissionStore(clock: clock)
    }

    func lookup(user: String) async throws -> PermissionLookup {
        lookups.add(1, ordering: .relaxed)
        if failing.load(ordering: .relaxed) { throw Down() }
        let result = inner.lookup(user: user)
        await lookupGate.pass()
        return result
    }

    func save(
        _ entry: PermissionEntry,
        for user: String,
        ttl: Duration,
        ifVersion version: PermissionVersion
    ) throws
        -> Bool
    {
        if failing.load(ordering: .relaxed) { throw Down() }
        return inner.save(entry, for: user, ttl: ttl, ifVersion: version)
    }

    func invalidate(user: String) async throws {
        await invalidateGate.pass()
        if failing.load(ordering: .relaxed) { throw Down() }
        inner.invalidate(user: user)
    }

    func invalidateAll() async throws {
        await invalidateGate.pass()
        if failing.load(ordering: .relaxed) { throw Down() }
        inner.invalidateAll()
    }
}

/// A point where calls wait while it is closed, counting the calls that reached it.
private final class Gate: Sendable {
    private struct Passage {
        var closed = false
        var arrivals = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(Passage())

    var arrivals: Int { state.withLock { $0.arrivals } }

    func close() {
        state.withLock { $0.closed = true }
    }

    func open() {
        let waiters = state.withLock { state in
            state.closed = false
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    func pass() async {
        await withCheckedContinuation { continuation in
            let proceed = state.withLock { state in
                state.arrivals += 1
                if state.closed { state.waiters.append(continuation) }
                return !state.closed
            }
            if proceed { continuation.resume() }
        }
    }
}

/// A shareable counter.
private final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

@Suite("PermissionCache")
struct PermissionCacheTests {
    @Test("a miss loads once and caches until the TTL passes")
    func cacheAside() async throws {
        let clock = ManualClock()
        let database = Database(["42": ["orders:*"]])
        let cache = PermissionCache(
            store: InMemoryPermissionStore(clock: clock.timeSource),
            configuration: PermissionCacheConfiguration(ttl: .seconds(60)),
            clock: clock.timeSource
        )
        for _ in 0..<5 {
            let permissions = try await cache.permissions(for: "42", load: database.loader)
            #expect(permissions?.contains("orders:read") == true)
        }
        #expect(database.loads.load(ordering: .relaxed) == 1)
        clock.advance(by: .seconds(61))
        _ = try await cache.permissions(for: "42", load: database.loader)
        #expect(database.loads.load(ordering: .relaxed) == 2)
    }

    @Test("single flight: 100 concurrent misses for one user make one loader call")
    func singleFlight() async throws {
        let database = Database(["42": ["orders:read"]])
        let cache = PermissionCache(store: InMemoryPermissionStore(clock: ManualClock().timeSource))
        database.close()
        try await withThrowingTaskGroup(of: PermissionSet?.self) { group in
            for _ in 0..<100 {
                group.addTask {
                    try await cache.permissions(for: "42", load: database.loader)
                }
            }
            // The gate stays closed until every caller has joined the single load.
            #expect(try await TestTiming.eventually { cache.callersWaitingForLoad(of: "42") == 100 })
            database.open()
            for try await permissions in group {
                #expect(permissions == ["orders:read"])
            }
        }
        #expect(database.loads.load(ordering: .relaxed) == 1)
    }

    @Test("an unknown user is cached briefly as unknown")
    func negativeCaching() async throws {
        let clock = ManualClock()
        let database = Database([:])
        let cache = PermissionCache(
            store: InMemoryPermissionStore(clock: clock.timeSource),
            configuration: PermissionCacheConfiguration(ttl: .seconds(300), negativeTTL: .seconds(10)),
            clock: clock.timeSource
        )
        #expect(try await cache.permissions(for: "ghost", load: database.loader) == nil)
        #expect(try await cache.permissions(for: "ghost", load: database.loader) == nil)
        #expect(database.loads.load(ordering: .relaxed) == 1)
        database.table.withLock { $0["ghost"] = ["a"] }
        clock.advance(by: .seconds(11))
        #expect(try await cache.permissions(for: "ghost", load: database.loader) == ["a"])
        #expect(database.loads.load(ordering: .relaxed) == 2)
    }

    @Test("a loader error reaches every waiting caller and is not cached")
    func loaderErrors() async throws {
        let database = Database(["42": ["a"]])
        let cache = PermissionCache(store: InMemoryPermissionStore(clock: ManualClock().timeSource))
        database.failing.store(true, ordering: .relaxed)
        database.close()
        let failures = Counter()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    do {
                        _ = try await cache.permissions(for: "42", load: database.loader)
                    } catch is Database.Unavailable {
                        failures.value.add(1, ordering: .relaxed)
                    } catch {}
                }
            }
            // Every caller waits on the one failing load before it answers.
            _ = try? await TestTiming.eventually { cache.callersWaitingForLoad(of: "42") == 5 }
            database.open()
        }
        #expect(failures.value.load(ordering: .relaxed) == 5)
        #expect(database.loads.load(ordering: .relaxed) == 1)
        database.failing.store(false, ordering: .relaxed)
        #expect(try await cache.permissions(for: "42", load: database.loader) == ["a"])
        #expect(database.loads.load(ordering: .relaxed) == 2)
    }

    @Test("a load that raced an invalidation is returned but never cached")
    func invalidationDuringLoad() async throws {
        let database = Database(["42": ["old"]])
        let cache = PermissionCache(store: InMemoryPermissionStore(clock: ManualClock().timeSource))
        database.close()
        async let first = cache.permissions(for: "42", load: database.loader)
        #expect(try await TestTiming.eventually { database.loads.load(ordering: .relaxed) == 1 })
        database.table.withLock { $0["42"] = ["new"] }
        try await cache.invalidate("42")
        database.open()
        #expect(try await first == ["old"])
        #expect(try await cache.permissions(for: "42", load: database.loader) == ["new"])
        #expect(database.loads.load(ordering: .relaxed) == 2)
    }

    @Test("invalidate and invalidateAll make the next call reload")
    func invalidation() async throws {
        let database = Database(["1": ["a"], "2": ["b"]])
        let cache = PermissionCache(store: InMemoryPermissionStore(clock: ManualClock().timeSource))
        _ = try await cache.permissions(for: "1", load: database.loader)
        _ = try await cache.permissions(for: "2", load: database.loader)
        database.table.withLock { $0 = ["1": ["a2"], "2": ["b2"]] }
        try await cache.invalidate("1")
        #expect(try await cache.permissions(for: "1", load: database.loader) == ["a2"])
        #expect(try await cache.permissions(for: "2", load: database.loader) == ["b"])
        try await cache.invalidateAll()
        #expect(try await cache.permissions(for: "2", load: database.loader) == ["b2"])
        #expect(database.loads.load(ordering: .relaxed) == 4)
    }

    @Test("an invalidation in one instance reaches another's local cache through the channel")
    func invalidationAcrossInstances() async throws {
        let clock = ManualClock()
        let store = CountingStore(clock: clock.timeSource)
        let bus = InMemoryPermissionInvalidationBus()
        let configuration = PermissionCacheConfiguration(localTTL: .seconds(30))
        let first = PermissionCache(
            store: store,
            configuration: configuration,
            invalidationChannel: bus,
            clock: clock.timeSource
        )
        let second = PermissionCache(
            store: store,
            configuration: configuration,
            invalidationChannel: bus,
            clock: clock.timeSource
        )
        let database = Database(["42": ["old"]])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await first.run() }
            group.addTask { try await second.run() }
            #expect(try await TestTiming.eventually { first.isListening && second.isListening })

            #expect(try await second.permissions(for: "42", load: database.loader) == ["old"])
            let lookups = store.lookups.load(ordering: .relaxed)
            #expect(try await second.permissions(for: "42", load: database.loader) == ["old"])
            #expect(store.lookups.load(ordering: .relaxed) == lookups, "second read should come from the local cache")

            database.table.withLock { $0["42"] = ["new"] }
            try await first.invalidate("42")
            #expect(
                try await TestTiming.eventually {
                    try await second.permissions(for: "42", load: database.loader) == ["new"]
                }
            )

            _ = try await second.permissions(for: "42", load: database.loader)
            database.table.withLock { $0["42"] = ["newer"] }
            try await first.invalidateAll()
            #expect(
                try await TestTiming.eventually {
                    try await second.permissions(for: "42", load: database.loader) == ["newer"]
                }
            )
            group.cancelAll()
        }
    }

    @Test("local entries are not trusted while the subscription is down")
    func localCacheNeedsSubscription() async throws {
        let clock = ManualClock()
        let store = CountingStore(clock: clock.timeSource)
        let bus = InMemoryPermissionInvalidationBus()
        let cache = PermissionCache(
            store: store,
            configuration: PermissionCacheConfiguration(localTTL: .seconds(30), resubscribeDelay: .seconds(60)),
            invalidationChannel: bus,
            clock: clock.timeSource
        )
        let database = Database(["42": ["a"]])
        _ = try await cache.permissions(for: "42", load: database.loader)
        _ = try await cache.permissions(for: "42", load: database.loader)
        #expect(store.lookups.load(ordering: .relaxed) == 2, "without a subscription every read goes to the store")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await cache.run() }
            #expect(try await TestTiming.eventually { cache.isListening })
            _ = try await cache.permissions(for: "42", load: database.loader)
            _ = try await cache.permissions(for: "42", load: database.loader)
            #expect(store.lookups.load(ordering: .relaxed) == 3)
            bus.disconnectAll()
            #expect(try await TestTiming.eventually { !cache.isListening })
            _ = try await cache.permissions(for: "42", load: database.loader)
            #expect(store.lookups.load(ordering: .relaxed) == 4)
            group.cancelAll()
        }
    }

    /// A lookup while the store invalidation is on its way reads the store's old entry; it may return it, but
    /// it must not leave it in the local cache for the lookups after `invalidate` returns.
    @Test("after invalidate returns, no lookup on this instance returns the old set")
    func invalidateLeavesNoOldSet() async throws {
        let clock = ManualClock()
        let store = CountingStore(clock: clock.timeSource)
        let cache = PermissionCache(
            store: store,
            configuration: PermissionCacheConfiguration(localTTL: .seconds(30)),
            clock: clock.timeSource
        )
        let database = Database(["42": ["old"]])
        #expect(try await cache.permissions(for: "42", load: database.loader) == ["old"])
        database.table.withLock { $0["42"] = ["new"] }
        store.invalidateGate.close()
        let invalidation = Task { try await cache.invalidate("42") }
        #expect(try await TestTiming.eventually { store.invalidateGate.arrivals == 1 })
        #expect(try await cache.permissions(for: "42", load: database.loader) == ["old"])
        store.invalidateGate.open()
        try await invalidation.value
        #expect(try await cache.permissions(for: "42", load: database.loader) == ["new"])
    }

    /// An invalidation published while the cache was not subscribed never reaches it; a lookup that read the store
    /// before that invalidation and completes after the subscription came up must not fill the local cache.
    @Test("a lookup that started before the subscription came up caches nothing")
    func lookupAcrossSubscriptionStart() async throws {
        let clock = ManualClock()
        let store = CountingStore(clock: clock.timeSource)
        let bus = InMemoryPermissionInvalidationBus()
        let cache = PermissionCache(
            store: store,
            configuration: PermissionCacheConfiguration(localTTL: .seconds(30)),
            invalidationChannel: bus,
            clock: clock.timeSource
        )
        let database = Database(["42": ["old"]])
        #expect(try await cache.permissions(for: "42", load: database.loader) == ["old"])
        store.lookupGate.close()
        let early = Task { try await cache.permissions(for: "42", load: database.loader) }
        #expect(try await TestTiming.eventually { store.lookupGate.arrivals == 2 })
        database.table.withLock { $0["42"] = ["new"] }
        try await store.invalidate(user: "42")
        bus.publish(.user("42"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await cache.run() }
            let listening = try await TestTiming.eventually { cache.isListening }
            #expect(listening)
            store.lookupGate.open()
            let started = try await early.value
            #expect(started == ["old"], "a lookup that started before may return what it read")
            let after = try await cache.permissions(for: "42", load: database.loader)
            #expect(after == ["new"])
            group.cancelAll()
        }
    }

    @Test("when the store fails, the loader answers uncached, or the call fails if so configured")
    func storeFailure() async throws {
        let clock = ManualClock()
        let store = CountingStore(clock: clock.timeSource)
        store.failing.store(true, ordering: .relaxed)
        let database = Database(["42": ["a"]])
        let lenient = PermissionCache(store: store, clock: clock.timeSource)
        #expect(try await lenient.permissions(for: "42", load: database.loader) == ["a"])
        #expect(try await lenient.permissions(for: "42", load: database.loader) == ["a"])
        #expect(database.loads.load(ordering: .relaxed) == 2)
        let strict = PermissionCache(
            store: store,
            configuration: PermissionCacheConfiguration(loadWhenStoreFails: false),
            clock: clock.timeSource
        )
        await #expect {
            try await strict.permissions(for: "42", load: database.loader)
        } throws: { ($0 as? PermissionCacheError)?.code == .storeUnavailable }
        await #expect {
            try await strict.invalidate("42")
        } throws: { ($0 as? PermissionCacheError)?.code == .storeUnavailable }
    }

    @Test("user ids are validated")
    func invalidUser() async {
        let cache = PermissionCache(store: InMemoryPermissionStore())
        await #expect {
            try await cache.permissions(for: "", load: { _ in nil })
        } throws: { ($0 as? PermissionCacheError)?.code == .invalidUserID }
    }
}
