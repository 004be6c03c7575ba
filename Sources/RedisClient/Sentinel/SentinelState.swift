/// The shared state of a Sentinel client as a value: which node is the primary, whether a discovery runs, who
/// waits for it, and the order in which to ask the Sentinels. Its methods decide; the ``SentinelRouter`` holds it
/// in a `Mutex` and does the I/O.
///
/// The rules it keeps:
/// - once anything says the primary is changing or changed (a Sentinel picked a replica to promote, a
///   `+switch-master`, a `READONLY` reply, a discovery that names another node), the old primary's pool is handed
///   back to be closed and no command is routed to it again;
/// - the old primary is *refused* for a while (``refuses(_:now:)``): during a `SENTINEL FAILOVER` it still
///   answers `ROLE` as a primary for seconds after its replica was promoted, and a Sentinel that has not heard of
///   the switch yet still names it, so only the passing of the refusal (a failover that never completed) lets a
///   discovery confirm it again;
/// - a connection failure only prompts a discovery, which keeps the pool when the Sentinels and `ROLE` still name
///   the same node.
struct SentinelState<Pool: AnyObject, Waiter> {
    /// Where a command goes.
    enum Route {
        /// Send it on the primary's pool.
        case pool(Pool, RedisNodeAddress)
        /// The primary is not known: wait for a discovery (``waitForPrimary(_:)``).
        case discover
        /// The client is shut down.
        case shutdown
    }

    /// What the end of a discovery leaves to do.
    struct DiscoveryEnd {
        /// Callers waiting for the primary.
        var waiters: [Waiter]
        /// The pool of a primary that is no longer one, to close.
        var retired: Pool?
        /// Whether to start another discovery (something asked for one while this one ran).
        var again: Bool
    }

    private(set) var primary: (address: RedisNodeAddress, pool: Pool)?
    /// Former primaries a discovery must not confirm, each until a monotonic instant.
    private(set) var refused: [RedisNodeAddress: UInt64] = [:]
    /// The new primary a `+switch-master` named, to confirm first at the next discovery.
    private var announced: RedisNodeAddress?
    private(set) var isShutdown = false
    private(set) var isDiscovering = false
    private var discoverAgain = false
    private var waiters: [Waiter] = []
    /// The Sentinels, the last one that answered first.
    private(set) var sentinels: [RedisNodeAddress]

    init(sentinels: [RedisNodeAddress]) {
        self.sentinels = sentinels
    }

    /// Where a command goes now.
    func route() -> Route {
        if isShutdown { return .shutdown }
        guard let primary else { return .discover }
        return .pool(primary.pool, primary.address)
    }

    /// Records `waiter` for the end of the running or next discovery. Returns whether it was recorded (not when
    /// the primary is known or the client is shut down) and whether the caller must start the discovery.
    mutating func waitForPrimary(_ waiter: Waiter) -> (waiting: Bool, start: Bool) {
        guard primary == nil, !isShutdown else { return (false, false) }
        waiters.append(waiter)
        return (true, startDiscovery())
    }

    /// Asks for a discovery; `true` when the caller must start it (none was running).
    mutating func startDiscovery() -> Bool {
        guard !isShutdown else { return false }
        if isDiscovering {
            discoverAgain = true
            return false
        }
        isDiscovering = true
        return true
    }

    /// `pool` answered `READONLY` or the Sentinels announced another primary: it is no primary any more. Returns
    /// the pool to close when it was the current one, and whether to start a discovery.
    mutating func demoted(_ pool: Pool) -> (retired: Pool?, start: Bool) {
        guard let current = primary, current.pool === pool else { return (nil, startDiscovery()) }
        primary = nil
        return (current.pool, startDiscovery())
    }

    /// A Sentinel announced (`+switch-master`) that the primary moved from `old` to `address`: `old` is refused
    /// until `until`, and the next discovery confirms `address` first.
    mutating func switched(
        from old: RedisNodeAddress,
        to address: RedisNodeAddress,
        until: UInt64
    ) -> (retired: Pool?, start: Bool) {
        if old != address {
            refused[old] = until
        }
        refused[address] = nil
        guard primary?.address != address else { return (nil, false) }
        announced = address
        guard let current = primary else { return (nil, startDiscovery()) }
        return demoted(current.pool)
    }

    /// A Sentinel picked a replica of the primary at `address` to promote (`+selected-slave`): commands stop going
    /// there now, before the replica stops following it, and it is refused until `until` (or an abort).
    mutating func failoverStarted(of address: RedisNodeAddress, until: UInt64) -> Pool? {
        refused[address] = until
        guard let current = primary, current.address == address else { return nil }
        primary = nil
        return current.pool
    }

    /// The Sentinels gave up the failover of `address` (`-failover-abort-…`): it may be confirmed again.
    mutating func failoverAborted(of address: RedisNodeAddress) -> Bool {
        guard refused.removeValue(forKey: address) != nil else { return false }
        return primary == nil && startDiscovery()
    }

    /// Whether a discovery must pass over `address` at monotonic time `now`.
    mutating func refuses(_ address: RedisNodeAddress, now: UInt64) -> Bool {
        guard let until = refused[address] else { return false }
        if now < until { return true }
        refused[address] = nil
        return false
    }

    /// The node a `+switch-master` named, once: the discovery that starts now confirms it before asking anyone.
    mutating func takeAnnounced() -> RedisNodeAddress? {
        defer { announced = nil }
        return announced
    }

    /// The Sentinel at `sentinel` answered: ask it first next time.
    mutating func sentinelAnswered(_ sentinel: RedisNodeAddress) {
        if let index = sentinels.firstIndex(of: sentinel), index > 0 {
            sentinels.remove(at: index)
            sentinels.insert(sentinel, at: 0)
        }
    }

    /// Ends the running discovery with the confirmed primary and the pool that confirmed it (the current pool when
    /// the primary did not change), or the failure. A new primary replaces the old, whose pool is handed back to be
    /// closed.
    mutating func discoveryFinished(_ result: Result<(RedisNodeAddress, Pool), RedisError>) -> DiscoveryEnd {
        var end = DiscoveryEnd(waiters: [], retired: nil, again: false)
        guard !isShutdown else { return end }
        isDiscovering = false
        if case .success(let (address, pool)) = result, primary?.pool !== pool {
            end.retired = primary?.pool
            primary = (address, pool)
        }
        end.waiters = waiters
        waiters = []
        if discoverAgain {
            discoverAgain = false
            end.again = startDiscovery()
        }
        return end
    }

    /// The pool of the current primary when it is at `address`, to confirm it with rather than a new one.
    func currentPool(at address: RedisNodeAddress) -> Pool? {
        primary?.address == address ? primary?.pool : nil
    }

    /// Shuts down: the pool and the waiters are handed back to be closed and failed.
    mutating func shutdown() -> (pool: Pool?, waiters: [Waiter]) {
        guard !isShutdown else { return (nil, []) }
        isShutdown = true
        let result = (primary?.pool, waiters)
        primary = nil
        waiters = []
        return result
    }
}
