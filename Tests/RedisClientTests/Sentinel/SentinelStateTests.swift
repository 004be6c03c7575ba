import Testing

@testable import RedisClient

/// The Sentinel client's shared state, event by event, and the replies it reads.
@Suite("SentinelState")
struct SentinelStateTests {
    final class Pool {
        let node: RedisNodeAddress
        init(_ node: RedisNodeAddress) { self.node = node }
    }

    typealias State = SentinelState<Pool, Int>
    let s1 = RedisNodeAddress(host: "s1", port: 26379)
    let s2 = RedisNodeAddress(host: "s2", port: 26379)
    let p1 = RedisNodeAddress(host: "p1", port: 6379)
    let p2 = RedisNodeAddress(host: "p2", port: 6379)

    @Test("commands wait for the first discovery, which starts once")
    func firstDiscovery() {
        var state = State(sentinels: [s1, s2])
        guard case .discover = state.route() else {
            Issue.record("expected to discover")
            return
        }
        #expect(state.waitForPrimary(1) == (true, true))
        #expect(state.waitForPrimary(2) == (true, false))
        let pool = Pool(p1)
        let end = state.discoveryFinished(.success((p1, pool)))
        #expect(end.waiters == [1, 2])
        #expect(end.retired == nil)
        guard case .pool(let routed, let node) = state.route() else {
            Issue.record("expected a pool")
            return
        }
        #expect(routed === pool)
        #expect(node == p1)
        #expect(state.waitForPrimary(3) == (false, false))
    }

    @Test("READONLY from the current primary retires it at once; nothing is routed there again")
    func readOnly() {
        var state = State(sentinels: [s1])
        let old = Pool(p1)
        _ = state.startDiscovery()
        _ = state.discoveryFinished(.success((p1, old)))
        let (retired, start) = state.demoted(old)
        #expect(retired === old)
        #expect(start)
        guard case .discover = state.route() else {
            Issue.record("the demoted primary must not be routed to")
            return
        }
        #expect(state.demoted(old).retired == nil)
        let new = Pool(p2)
        let end = state.discoveryFinished(.success((p2, new)))
        #expect(end.retired == nil)
        if case .pool(let routed, _) = state.route() { #expect(routed === new) }
    }

    @Test("+switch-master to another node retires the primary and refuses it; to the same node changes nothing")
    func switchMaster() {
        var state = State(sentinels: [s1])
        let old = Pool(p1)
        _ = state.startDiscovery()
        _ = state.discoveryFinished(.success((p1, old)))
        let same = state.switched(from: p2, to: p1, until: 100)
        #expect(same.retired == nil)
        #expect(same.start == false)
        let (retired, start) = state.switched(from: p1, to: p2, until: 100)
        #expect(retired === old)
        #expect(start)
        let announced = state.takeAnnounced()
        #expect(announced == p2)
        let again = state.takeAnnounced()
        #expect(again == nil)
        // A lagging Sentinel still names p1, and p1 still answers ROLE as a primary: refused until the pause ends.
        #expect(state.refuses(p1, now: 99) == true)
        #expect(state.refuses(p2, now: 99) == false)
        #expect(state.refuses(p1, now: 100) == false)
    }

    @Test("a failover starting stops commands to the primary at once; an abort lets it back")
    func failoverStarted() {
        var state = State(sentinels: [s1])
        let old = Pool(p1)
        _ = state.startDiscovery()
        _ = state.discoveryFinished(.success((p1, old)))
        #expect(state.failoverStarted(of: p2, until: 50) == nil)
        #expect(state.failoverStarted(of: p1, until: 50) === old)
        guard case .discover = state.route() else {
            Issue.record("a primary being failed over must not be routed to")
            return
        }
        #expect(state.refuses(p1, now: 10) == true)
        #expect(state.failoverAborted(of: p1) == true)
        #expect(state.refuses(p1, now: 10) == false)
        #expect(state.failoverAborted(of: p1) == false)
        // The switch that ends a failover lifts the refusal of the new primary and keeps the old one's.
        _ = state.failoverStarted(of: p1, until: 50)
        _ = state.switched(from: p1, to: p2, until: 80)
        #expect(state.refuses(p1, now: 60) == true)
    }

    @Test("a discovery that confirms the current node keeps its pool; another node replaces it")
    func confirmation() {
        var state = State(sentinels: [s1])
        let first = Pool(p1)
        _ = state.startDiscovery()
        _ = state.discoveryFinished(.success((p1, first)))
        #expect(state.currentPool(at: p1) === first)
        #expect(state.currentPool(at: p2) == nil)
        _ = state.startDiscovery()
        #expect(state.discoveryFinished(.success((p1, first))).retired == nil)
        _ = state.startDiscovery()
        let second = Pool(p2)
        #expect(state.discoveryFinished(.success((p2, second))).retired === first)
        _ = state.startDiscovery()
        let failed = state.discoveryFinished(.failure(RedisError(.connectionFailed, "x")))
        #expect(failed.retired == nil)
        #expect(state.primary?.address == p2)
    }

    @Test("a request during a discovery runs one more after it; the Sentinel that answered goes first")
    func again() {
        var state = State(sentinels: [s1, s2])
        #expect(state.startDiscovery() == true)
        #expect(state.startDiscovery() == false)
        #expect(state.discoveryFinished(.failure(RedisError(.connectionFailed, "x"))).again == true)
        #expect(state.isDiscovering)
        state.sentinelAnswered(s2)
        #expect(state.sentinels == [s2, s1])
    }

    @Test("shutdown hands back the pool and the waiters")
    func shutdown() {
        var state = State(sentinels: [s1])
        _ = state.waitForPrimary(4)
        let (pool, waiters) = state.shutdown()
        #expect(pool == nil)
        #expect(waiters == [4])
        #expect(state.startDiscovery() == false)
    }

    @Test("replies: the primary's address, ROLE, +switch-master")
    func replies() {
        let address = RedisReply.array([.bulk(Array("10.0.0.5".utf8)), .bulk(Array("6380".utf8))])
        #expect(SentinelReplies.primaryAddress(address) == RedisNodeAddress(host: "10.0.0.5", port: 6380))
        #expect(SentinelReplies.primaryAddress(.null) == nil)
        #expect(SentinelReplies.primaryAddress(.array([.bulk(Array("h".utf8)), .bulk(Array("0".utf8))])) == nil)
        #expect(SentinelReplies.isPrimary(.array([.bulk(Array("master".utf8)), .integer(0), .array([])])))
        #expect(!SentinelReplies.isPrimary(.array([.bulk(Array("slave".utf8))])))
        let switched = SentinelReplies.switchedPrimary(
            "mymaster 127.0.0.1 6379 127.0.0.1 6380",
            primaryName: "mymaster"
        )
        #expect(switched?.old == RedisNodeAddress(host: "127.0.0.1", port: 6379))
        #expect(switched?.new == RedisNodeAddress(host: "127.0.0.1", port: 6380))
        let selected = "slave 127.0.0.1:6380 127.0.0.1 6380 @ mymaster 127.0.0.1 6379"
        #expect(
            SentinelReplies.failoverPrimary(selected, primaryName: "mymaster")
                == RedisNodeAddress(host: "127.0.0.1", port: 6379)
        )
        #expect(SentinelReplies.failoverPrimary(selected, primaryName: "other") == nil)
        let aborted = "master mymaster 127.0.0.1 6379"
        #expect(
            SentinelReplies.failoverPrimary(aborted, primaryName: "mymaster")
                == RedisNodeAddress(host: "127.0.0.1", port: 6379)
        )
        #expect(SentinelReplies.failoverPrimary("master mymaster 127.0.0.1 0", primaryName: "mymaster") == nil)
        #expect(SentinelReplies.switchedPrimary("other 127.0.0.1 6379 127.0.0.1 6380", primaryName: "mymaster") == nil)
        #expect(SentinelReplies.switchedPrimary("mymaster 1 2", primaryName: "mymaster") == nil)
    }
}
