import Testing

@testable import RedisClient

/// One node of a CLUSTER SHARDS reply, as RESP2 carries it: a flat array of names and values.
private func node(
    port: Int,
    role: String,
    health: String = "online",
    endpoint: String = "127.0.0.1",
    tlsPort: Int? = nil
) -> RedisReply {
    var fields: [RedisReply] = [
        .bulk(Array("id".utf8)), .bulk(Array("id-\(port)".utf8)), .bulk(Array("port".utf8)), .integer(Int64(port)),
    ]
    if let tlsPort {
        fields += [.bulk(Array("tls-port".utf8)), .integer(Int64(tlsPort))]
    }
    fields += [
        .bulk(Array("ip".utf8)), .bulk(Array("127.0.0.1".utf8)), .bulk(Array("endpoint".utf8)),
        .bulk(Array(endpoint.utf8)), .bulk(Array("role".utf8)), .bulk(Array(role.utf8)),
        .bulk(Array("replication-offset".utf8)), .integer(0), .bulk(Array("health".utf8)),
        .bulk(Array(health.utf8)),
    ]
    return .array(fields)
}

private func shard(_ ranges: [ClosedRange<Int>], _ nodes: [RedisReply]) -> RedisReply {
    .array([
        .bulk(Array("slots".utf8)),
        .array(ranges.flatMap { [RedisReply.integer(Int64($0.lowerBound)), .integer(Int64($0.upperBound))] }),
        .bulk(Array("nodes".utf8)), .array(nodes),
    ])
}

/// Reading CLUSTER SHARDS and CLUSTER SLOTS replies (in the shapes redis-server 7.0 sends them) into a slot map.
@Suite("ClusterSlotMap")
struct ClusterSlotMapTests {
    static let threeShards = RedisReply.array([
        shard([0...5460], [node(port: 7001, role: "master"), node(port: 7004, role: "replica", health: "loading")]),
        shard([5461...10922], [node(port: 7002, role: "master"), node(port: 7005, role: "replica")]),
        shard([10923...16383], [node(port: 7003, role: "master"), node(port: 7006, role: "replica")]),
    ])

    @Test("CLUSTER SHARDS: each range goes to its shard's primary; replicas are never used")
    func shards() throws {
        let map = try ClusterSlotMap.fromShards(Self.threeShards, tls: false, answeringHost: "127.0.0.1")
        #expect(map.assignedSlots == 16384)
        #expect(map.primaries.map(\.port) == [7001, 7002, 7003])
        #expect(map.owner(of: 0)?.port == 7001)
        #expect(map.owner(of: 5460)?.port == 7001)
        #expect(map.owner(of: 5461)?.port == 7002)
        #expect(map.owner(of: 16383)?.port == 7003)
        #expect(map.owner(of: 16384) == nil)
        #expect(map.owner(of: -1) == nil)
    }

    @Test("after a failover the failed primary stays listed; the online one is taken")
    func failedPrimary() throws {
        let reply = RedisReply.array([
            shard([0...16383], [node(port: 7001, role: "master", health: "fail"), node(port: 7004, role: "master")]),
            shard([], [node(port: 7009, role: "master", health: "fail")]),
        ])
        let map = try ClusterSlotMap.fromShards(reply, tls: false, answeringHost: "127.0.0.1")
        #expect(map.primaries.map(\.port) == [7004])
        #expect(map.owner(of: 100)?.port == 7004)
    }

    @Test("TLS takes tls-port; an unknown endpoint is the node that answered")
    func tlsAndEndpoint() throws {
        let reply = RedisReply.array([
            shard([0...16383], [node(port: 7001, role: "master", endpoint: "?", tlsPort: 17001)])
        ])
        let tls = try ClusterSlotMap.fromShards(reply, tls: true, answeringHost: "10.1.1.1")
        #expect(tls.owner(of: 0) == RedisNodeAddress(host: "10.1.1.1", port: 17001))
        let plain = try ClusterSlotMap.fromShards(reply, tls: false, answeringHost: "10.1.1.1")
        #expect(plain.owner(of: 0)?.port == 7001)
    }

    @Test("a shard without a primary leaves its slots unassigned")
    func noPrimary() throws {
        let reply = RedisReply.array([shard([0...99], [node(port: 7004, role: "replica")])])
        let map = try ClusterSlotMap.fromShards(reply, tls: false, answeringHost: "h")
        #expect(map.assignedSlots == 0)
        #expect(map.owner(of: 5) == nil)
    }

    @Test("CLUSTER SLOTS: [start, end, primary, replicas…]; a null host is the node that answered")
    func slots() throws {
        func range(_ start: Int, _ end: Int, _ host: RedisReply, _ port: Int) -> RedisReply {
            .array([
                .integer(Int64(start)), .integer(Int64(end)),
                .array([host, .integer(Int64(port)), .bulk(Array("id".utf8))]),
                .array([.bulk(Array("127.0.0.1".utf8)), .integer(9999), .bulk(Array("replica".utf8))]),
            ])
        }
        let reply = RedisReply.array([
            range(0, 8191, .bulk(Array("127.0.0.1".utf8)), 7001), range(8192, 16383, .null, 7002),
        ])
        let map = try ClusterSlotMap.fromSlots(reply, answeringHost: "10.2.2.2")
        #expect(map.owner(of: 0) == RedisNodeAddress(host: "127.0.0.1", port: 7001))
        #expect(map.owner(of: 16383) == RedisNodeAddress(host: "10.2.2.2", port: 7002))
        #expect(map.assignedSlots == 16384)
    }

    @Test(
        "replies of another shape are protocol errors",
        arguments: [
            RedisReply.status("OK"), .array([.integer(1)]),
            .array([
                .array([
                    .bulk(Array("slots".utf8)), .array([.integer(5), .integer(1)]), .bulk(Array("nodes".utf8)),
                    .array([node(port: 1, role: "master")]),
                ])
            ]),
            .array([shard([0...16384], [node(port: 1, role: "master")])]),
            .array([shard([0...1], [node(port: 0, role: "master")])]),
            .array([
                .array([.bulk(Array("slots".utf8)), .array([.integer(1)]), .bulk(Array("nodes".utf8)), .array([])])
            ]),
        ]
    )
    func malformed(reply: RedisReply) {
        let error = #expect(throws: RedisError.self) {
            try ClusterSlotMap.fromShards(reply, tls: false, answeringHost: "h")
        }
        #expect(error?.code == .protocol)
        #expect(throws: RedisError.self) {
            try ClusterSlotMap.fromSlots(.array([.array([.integer(0)])]), answeringHost: "h")
        }
    }

    @Test("MOVED corrections move one slot; a node left without slots is dropped")
    func moved() throws {
        var map = ClusterSlotMap()
        let a = RedisNodeAddress(host: "a", port: 1)
        let b = RedisNodeAddress(host: "b", port: 1)
        map.assign(7, to: a)
        map.assign(8, to: a)
        map.assign(7, to: b)
        #expect(map.owner(of: 7) == b)
        #expect(map.owner(of: 8) == a)
        #expect(map.primaries == [a, b])
        map.assign(8, to: b)
        #expect(map.primaries == [b])
        #expect(map.owner(of: 8) == b)
        #expect(map.owner(of: 7) == b)
        #expect(map.assignedSlots == 2)
    }
}
