import Testing

@testable import RedisClient

/// The cluster client's shared state, event by event: routing, waiting for the first map, rate-limited map reads
/// with follow-ups, MOVED corrections and retiring pools.
@Suite("ClusterRouterState")
struct ClusterRouterStateTests {
    final class Pool {
        let node: RedisNodeAddress
        init(_ node: RedisNodeAddress) { self.node = node }
    }

    typealias State = ClusterRouterState<Pool, Int>
    static let ms: UInt64 = 1_000_000
    let seed = RedisNodeAddress(host: "seed", port: 7000)
    let a = RedisNodeAddress(host: "a", port: 7001)
    let b = RedisNodeAddress(host: "b", port: 7002)

    private func map(_ owners: [(ClosedRange<Int>, RedisNodeAddress)]) -> ClusterSlotMap {
        var map = ClusterSlotMap()
        for (range, node) in owners {
            for slot in range { map.assign(slot, to: node) }
        }
        return map
    }

    @Test("without a map commands wait; the first read hands the waiters back")
    func firstMap() {
        var state = State(seeds: [seed], minimumRefreshInterval: 100 * Self.ms)
        guard case .waitForMap = state.route(slot: 1, makePool: Pool.init) else {
            Issue.record("expected to wait")
            return
        }
        #expect(state.waitForMap(1) == true)
        #expect(state.waitForMap(2) == true)
        #expect(state.requestRefresh(now: 0) == .now([seed]))
        let end = state.refreshFinished(.success(map([(0...16383, a)])), now: 10)
        #expect(end.waiters == [1, 2])
        #expect(state.waitForMap(3) == false)
        guard case .pool(let pool, let node) = state.route(slot: 1, makePool: Pool.init) else {
            Issue.record("expected a pool")
            return
        }
        #expect(node == a)
        #expect(pool.node == a)
    }

    @Test("a failed first read hands the waiters back too, so they retry on their own")
    func failedRead() {
        var state = State(seeds: [seed], minimumRefreshInterval: 0)
        _ = state.waitForMap(7)
        _ = state.requestRefresh(now: 0)
        let end = state.refreshFinished(.failure(RedisError(.connectionFailed, "x")), now: 1)
        #expect(end.waiters == [7])
        #expect(state.map == nil)
    }

    @Test("reads are one at a time; a request meanwhile causes one follow-up; reads keep a minimum interval")
    func rateLimit() {
        var state = State(seeds: [seed], minimumRefreshInterval: 100 * Self.ms)
        #expect(state.requestRefresh(now: 0) == .now([seed]))
        #expect(state.requestRefresh(now: 1) == .none)
        #expect(state.requestRefresh(now: 2) == .none)
        let end = state.refreshFinished(.success(map([(0...16383, a)])), now: 20 * Self.ms)
        #expect(end.followUp == .at(100 * Self.ms))
        #expect(state.requestRefresh(now: 50 * Self.ms) == .none)
        #expect(state.plannedRefreshDue(now: 100 * Self.ms) == .now([a, seed]))
        _ = state.refreshFinished(.success(map([(0...16383, a)])), now: 110 * Self.ms)
        #expect(state.requestRefresh(now: 150 * Self.ms) == .at(200 * Self.ms))
        #expect(state.plannedRefreshDue(now: 150 * Self.ms) == .at(200 * Self.ms))
        #expect(state.plannedRefreshDue(now: 200 * Self.ms) == .now([a, seed]))
    }

    @Test("keyless commands take turns over the primaries; an unserved slot has no owner")
    func keyless() {
        var state = State(seeds: [], minimumRefreshInterval: 0)
        _ = state.requestRefresh(now: 0)
        _ = state.refreshFinished(.success(map([(0...99, a), (100...199, b)])), now: 0)
        var seen: [RedisNodeAddress] = []
        for _ in 0..<4 {
            if case .pool(_, let node) = state.route(slot: nil, makePool: Pool.init) { seen.append(node) }
        }
        #expect(Set(seen) == [a, b])
        guard case .noOwner = state.route(slot: 500, makePool: Pool.init) else {
            Issue.record("expected no owner")
            return
        }
    }

    @Test("MOVED moves a slot now; a new map retires the pools of nodes that are no longer primaries or seeds")
    func movedAndRetire() {
        var state = State(seeds: [seed], minimumRefreshInterval: 0)
        _ = state.requestRefresh(now: 0)
        _ = state.refreshFinished(.success(map([(0...16383, a)])), now: 0)
        _ = state.route(slot: 5, makePool: Pool.init)
        state.moved(slot: 5, to: b)
        guard case .pool(let pool, let node) = state.route(slot: 5, makePool: Pool.init) else {
            Issue.record("expected a pool")
            return
        }
        #expect(node == b)
        #expect(pool.node == b)
        _ = state.pool(for: seed, makePool: Pool.init)
        #expect(state.pools.count == 3)
        _ = state.requestRefresh(now: 1)
        let end = state.refreshFinished(.success(map([(0...16383, b)])), now: 2)
        #expect(end.retired.map(\.node) == [a])
        #expect(Set(state.pools.keys) == [b, seed])
    }

    @Test("shutdown hands back every pool and waiter, and refuses from then on")
    func shutdown() {
        var state = State(seeds: [seed], minimumRefreshInterval: 0)
        _ = state.waitForMap(1)
        _ = state.pool(for: a, makePool: Pool.init)
        let (pools, waiters) = state.shutdown()
        #expect(pools.map(\.node) == [a])
        #expect(waiters == [1])
        #expect(state.requestRefresh(now: 0) == .none)
        guard case .shutdown = state.route(slot: 1, makePool: Pool.init) else {
            Issue.record("expected shutdown")
            return
        }
        #expect(state.shutdown().pools.isEmpty)
    }
}
