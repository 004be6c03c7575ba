/// The shared state of a cluster client as a value: the slot map, the pool of each node, and when to read the map
/// again. Its methods decide and return what to do; the ``ClusterRouter`` holds it in a `Mutex` and does the I/O.
///
/// Generic over the pool and waiter types so that tests can drive it without connections.
struct ClusterRouterState<Pool: AnyObject, Waiter> {
    /// Where a command goes.
    enum Route {
        /// Send it on this node's pool.
        case pool(Pool, RedisNodeAddress)
        /// There is no map yet: wait for the first one (``waitForMap(_:)``).
        case waitForMap
        /// The map names no primary for the slot.
        case noOwner
        /// The client is shut down.
        case shutdown
    }

    /// Whether to read the map now.
    enum RefreshStart: Equatable {
        /// Start reading now, asking these nodes in turn.
        case now([RedisNodeAddress])
        /// Start when the loop's clock reaches this instant (the minimum interval since the last read).
        case at(UInt64)
        /// Nothing to do: a read is running or already planned.
        case none
    }

    /// What the end of a map read leaves to do.
    struct RefreshEnd {
        /// Callers waiting for a first map, and how it went for them.
        var waiters: [Waiter]
        /// Pools of nodes the new map no longer needs, to close once their commands are done.
        var retired: [Pool]
        /// A further read, when something asked for one while this one ran.
        var followUp: RefreshStart
    }

    private enum Refresh {
        case idle
        case planned
        case running(followUp: Bool)
    }

    /// The current map; `nil` until the first read succeeds.
    private(set) var map: ClusterSlotMap?
    /// One pool per node the client has talked to and still needs.
    private(set) var pools: [RedisNodeAddress: Pool] = [:]
    private(set) var isShutdown = false
    private var refresh = Refresh.idle
    private var lastRefreshStart: UInt64?
    private var waiters: [Waiter] = []
    private var nextAnyNode = 0
    private let seeds: [RedisNodeAddress]
    private let minimumRefreshInterval: UInt64

    init(seeds: [RedisNodeAddress], minimumRefreshInterval: UInt64) {
        self.seeds = seeds
        self.minimumRefreshInterval = minimumRefreshInterval
    }

    /// Where a command for `slot` (`nil`: no key, any primary) goes.
    mutating func route(slot: Int?, makePool: (RedisNodeAddress) -> Pool) -> Route {
        guard !isShutdown else { return .shutdown }
        guard let map else { return .waitForMap }
        let owner: RedisNodeAddress?
        if let slot {
            owner = map.owner(of: slot)
        } else if map.primaries.isEmpty {
            owner = nil
        } else {
            // Keyless commands take turns, so that no one primary carries them all.
            nextAnyNode = (nextAnyNode + 1) % map.primaries.count
            owner = map.primaries[nextAnyNode]
        }
        guard let owner else { return .noOwner }
        return .pool(pool(for: owner, makePool: makePool), owner)
    }

    /// Records `waiter` to be handed back when the running or next map read ends; `false` (nothing recorded) when
    /// there is a map already or the client is shut down.
    mutating func waitForMap(_ waiter: Waiter) -> Bool {
        guard map == nil, !isShutdown else { return false }
        waiters.append(waiter)
        return true
    }

    /// The pool of `node`, created when there is none yet (a redirection to a node the map does not name yet).
    mutating func pool(for node: RedisNodeAddress, makePool: (RedisNodeAddress) -> Pool) -> Pool {
        if let existing = pools[node] {
            return existing
        }
        let created = makePool(node)
        pools[node] = created
        return created
    }

    /// Records a `MOVED`: the slot is `node`'s from now on, whatever a map read in flight says.
    mutating func moved(slot: Int, to node: RedisNodeAddress) {
        map?.assign(slot, to: node)
    }

    /// Asks for a map read at `now`; at most one runs at a time, and reads start at least the minimum interval
    /// apart. A request while one runs is remembered and served by a second read when it ends, because the
    /// running one may have asked a node before the change that prompted the request.
    mutating func requestRefresh(now: UInt64) -> RefreshStart {
        guard !isShutdown else { return .none }
        switch refresh {
        case .running:
            refresh = .running(followUp: true)
            return .none
        case .planned:
            return .none
        case .idle:
            if let last = lastRefreshStart, now < last + minimumRefreshInterval {
                refresh = .planned
                return .at(last + minimumRefreshInterval)
            }
            refresh = .running(followUp: false)
            lastRefreshStart = now
            return .now(refreshCandidates())
        }
    }

    /// A planned read's time has come.
    mutating func plannedRefreshDue(now: UInt64) -> RefreshStart {
        guard case .planned = refresh else { return .none }
        refresh = .idle
        return requestRefresh(now: now)
    }

    /// The nodes to ask for the map, in order: the primaries of the current map, then the seeds, then any other
    /// node the client has a pool for.
    func refreshCandidates() -> [RedisNodeAddress] {
        var seen = Set<RedisNodeAddress>()
        var ordered: [RedisNodeAddress] = []
        let known = (map?.primaries ?? []) + seeds + pools.keys.sorted { $0.description < $1.description }
        for node in known where seen.insert(node).inserted {
            ordered.append(node)
        }
        return ordered
    }

    /// Ends the running read with a new map or the error of the last node asked.
    ///
    /// A new map replaces the old one (and `MOVED` corrections made meanwhile: the map read after them is newer).
    /// Pools of nodes that are neither primaries of the new map nor seeds are retired. Waiters are handed back to
    /// be resumed, with the map or the error.
    mutating func refreshFinished(_ result: Result<ClusterSlotMap, RedisError>, now: UInt64) -> RefreshEnd {
        var end = RefreshEnd(waiters: [], retired: [], followUp: .none)
        guard !isShutdown else { return end }
        let followUp: Bool
        if case .running(let again) = refresh {
            followUp = again
        } else {
            followUp = false
        }
        refresh = .idle
        if case .success(let newMap) = result {
            map = newMap
            let needed = Set(newMap.primaries + seeds)
            for (node, pool) in pools where !needed.contains(node) {
                pools[node] = nil
                end.retired.append(pool)
            }
        }
        // Waiters wait for a first map only; once a read has ended they retry on their own, within their deadline.
        end.waiters = waiters
        waiters = []
        if followUp {
            end.followUp = requestRefresh(now: now)
        }
        return end
    }

    /// Shuts down: every pool and waiter is handed back to be closed and failed.
    mutating func shutdown() -> (pools: [Pool], waiters: [Waiter]) {
        guard !isShutdown else { return ([], []) }
        isShutdown = true
        let result = (Array(pools.values), waiters)
        pools = [:]
        waiters = []
        map = nil
        return result
    }
}
