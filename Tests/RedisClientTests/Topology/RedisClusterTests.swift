import AuthKitTesting
import Synchronization
import Testing

@testable import RedisClient

/// RedisClient against real three-primary clusters: the process's shared cluster for what only reads and writes
/// keys (routing by slot, cross-slot refusals, split pipelines, scripts per node, pub/sub, nothing read from
/// replicas), a cluster of its own, without replicas, for each test that moves slots (MOVED, ASK, TRYAGAIN, a
/// sharded subscription following its slot).
@Suite("RedisClient on a cluster", .serialized)
struct RedisClusterTests {
    @Test("every command reaches the primary that owns its slot; the client's slot is the server's")
    func routing() async throws {
        try await withSharedCluster { cluster in
            try await withClient(url: cluster.url) { client in
                let keys = spreadKeys(60) + ["plain", "a{b}c", "{}x", "é{ü}"]
                for key in keys {
                    try await client.set(RedisArgument(key), value: RedisArgument("v-\(key)"))
                }
                for key in keys {
                    #expect(try await client.get(RedisArgument(key)) == Array("v-\(key)".utf8))
                    let slot = try await client.send("CLUSTER", "KEYSLOT", RedisArgument(key)).integer
                    #expect(slot.map(Int.init) == RedisArgument(key).hashSlot, "\(key)")
                }
                let router = try #require(client.clusterRouter)
                #expect(router.primaries.count == 3)
                // The owner the client routes to holds the key; a plain client of that node reads it without MOVED.
                for key in keys.prefix(6) {
                    let owner = try #require(router.owner(of: RedisArgument(key).hashSlot))
                    #expect(try await cluster.ownerPort(ofSlot: RedisArgument(key).hashSlot) == owner.port)
                    let stored = try await withNodeClient(port: owner.port) { node in
                        try await node.get(RedisArgument(key))
                    }
                    #expect(stored == Array("v-\(key)".utf8))
                }
            }
        }
    }

    @Test("scanKeys walks every primary, where a plain SCAN sees one")
    func scanEveryPrimary() async throws {
        try await withSharedCluster { cluster in
            try await withClient(url: cluster.url) { client in
                let prefix = "scan-\(UInt32.random(in: 0...UInt32.max)):"
                let keys = (0..<40).map { "\(prefix){\($0)}" }
                for key in keys {
                    try await client.set(RedisArgument(key), value: "x")
                }
                let owners = Set(keys.compactMap { client.clusterRouter?.owner(of: RedisArgument($0).hashSlot) })
                #expect(owners.count == 3)
                let found = try await client.scanKeys(matching: prefix + "*", count: 7)
                #expect(Set(found.map { String(decoding: $0, as: UTF8.self) }) == Set(keys))
                #expect(found.count == keys.count)
            }
        }
    }

    @Test("multi-key commands and scripts whose keys span slots are refused before anything is sent")
    func crossSlot() async throws {
        try await withSharedCluster { cluster in
            try await withClient(url: cluster.url) { client in
                try await client.set("{u:1}:a", value: "1")
                try await client.set("{u:1}:b", value: "2")
                let same = try await client.send("MGET", "{u:1}:a", "{u:1}:b")
                #expect(same.array?.compactMap(\.string) == ["1", "2"])
                for command: [RedisArgument] in [
                    ["MGET", "{u:1}:a", "{u:2}:b"], ["DEL", "{u:1}:a", "{u:2}:a"], ["EXISTS", "x", "y"],
                    ["EVAL", "return 1", "2", "{u:1}:a", "{u:2}:a"],
                ] {
                    #expect(await errorCode { try await client.send(command) } == .crossSlot, "\(command)")
                }
                let script = RedisScript("return #KEYS")
                #expect(await errorCode { try await client.eval(script, keys: ["{a}1", "{b}1"]) } == .crossSlot)
                let transaction: [[RedisArgument]] = [["MULTI"], ["SET", "{a}", "1"], ["SET", "{b}", "1"], ["EXEC"]]
                let refused = await errorCode { _ = try await client.pipeline(transaction) }
                #expect(refused == .crossSlot)
                // Nothing reached a server: {u:1}:a still exists, and no node counted a CROSSSLOT error.
                #expect(try await client.exists(["{u:1}:a"]) == 1)
                for port in try await cluster.primaryPorts() {
                    let stats = try await cluster.cli(port: port, ["info", "errorstats"])
                    #expect(!stats.contains("CROSSSLOT"), "node \(port): \(stats)")
                }
            }
        }
    }

    @Test("a slot moved behind the client's back: MOVED is followed and the map corrected")
    func moved() async throws {
        try await withCluster(RedisTestClusterOptions(replicasPerPrimary: 0)) { cluster in
            try await withClient(url: cluster.url) { client in
                let key: RedisArgument = "{moved}:key"
                try await client.set(key, value: "before")
                let router = try #require(client.clusterRouter)
                let slot = key.hashSlot
                let source = try #require(router.owner(of: slot)).port
                let target = try #require(try await cluster.primaryPorts().first { $0 != source })
                try await cluster.moveSlot(slot, from: source, to: target)
                #expect(router.owner(of: slot)?.port == source)
                #expect(try await client.get(key) == Array("before".utf8))
                #expect(router.owner(of: slot)?.port == target)
                try await client.set(key, value: "after")
                let stored = try await withNodeClient(port: target) { node in try await node.get(key) }
                #expect(stored == Array("after".utf8))
            }
        }
    }

    @Test("the slot map is read again periodically: a slot moved while the client is idle is known before use")
    func periodicRefresh() async throws {
        try await withCluster(RedisTestClusterOptions(replicasPerPrimary: 0)) { cluster in
            let configure: (inout RedisConfiguration) -> Void = { configuration in
                configuration.topology = .cluster(
                    RedisClusterConfiguration(
                        seeds: configuration.topology.cluster?.seeds ?? [],
                        refreshInterval: .milliseconds(200)
                    )
                )
            }
            try await withClient(url: cluster.url, configure: configure) { client in
                let slot = RedisArgument("{idle}").hashSlot
                try await client.set("{idle}", value: "x")
                let router = try #require(client.clusterRouter)
                let source = try #require(router.owner(of: slot)).port
                let target = try #require(try await cluster.primaryPorts().first { $0 != source })
                try await cluster.moveSlot(slot, from: source, to: target)
                try await waitUntil("the idle client's map names the new owner") {
                    router.owner(of: slot)?.port == target
                }
            }
        }
    }

    @Test("a slot half migrated: ASK is followed with ASKING, TRYAGAIN is retried until the move ends")
    func askAndTryAgain() async throws {
        try await withCluster(RedisTestClusterOptions(replicasPerPrimary: 0)) { cluster in
            try await withClient(url: cluster.url) { client in
                let router = try #require(client.clusterRouter)
                let slot = RedisArgument("{ask}").hashSlot
                try await client.set("{ask}:stays", value: "old")
                try await client.set("{ask}:moves", value: "moving")
                let source = try #require(router.owner(of: slot)).port
                let target = try #require(try await cluster.primaryPorts().first { $0 != source })
                try await cluster.beginSlotMigration(slot, from: source, to: target)
                try await cluster.migrateKeys(["{ask}:moves"], slot: slot, from: source, to: target)
                // Still at the source: served there. Moved away or new: ASK, served by the importing node.
                #expect(try await client.get("{ask}:stays") == Array("old".utf8))
                #expect(try await client.get("{ask}:moves") == Array("moving".utf8))
                try await client.set("{ask}:new", value: "fresh")
                let replies = try await client.pipeline([["GET", "{ask}:stays"], ["GET", "{ask}:new"], ["PING"]])
                #expect(replies == [.bulk(Array("old".utf8)), .bulk(Array("fresh".utf8)), .status("PONG")])
                #expect(router.owner(of: slot)?.port == source)
                // Keys on both sides: TRYAGAIN until the migration ends, then MOVED.
                let refusedBefore = try await cluster.tryAgainCount(port: source)
                async let both = client.send("MGET", "{ask}:stays", "{ask}:moves")
                try await waitUntil("the source answers the MGET with TRYAGAIN") {
                    try await cluster.tryAgainCount(port: source) > refusedBefore
                }
                try await cluster.migrateKeys(["{ask}:stays"], slot: slot, from: source, to: target)
                try await cluster.finishSlotMigration(slot, from: source, to: target)
                #expect(try await both.array?.compactMap(\.string) == ["old", "moving"])
                #expect(try await client.get("{ask}:new") == Array("fresh".utf8))
                #expect(router.owner(of: slot)?.port == target)
            }
        }
    }

    @Test("a pipeline over every primary is split per node and its replies come back in the caller's order")
    func splitPipeline() async throws {
        try await withSharedCluster { cluster in
            try await withClient(url: cluster.url) { client in
                let keys = spreadKeys(90, prefix: "p")
                var commands: [[RedisArgument]] = []
                for (index, key) in keys.enumerated() {
                    commands.append(["SET", RedisArgument(key), RedisArgument(index)])
                    commands.append(["INCR", RedisArgument(key)])
                }
                commands += [["MULTI"], ["INCR", "{p1}:value"], ["INCR", "{p1}:value"], ["EXEC"], ["PING"]]
                commands += keys.map { ["GET", RedisArgument($0)] }
                let replies = try await client.pipeline(commands)
                #expect(replies.count == commands.count)
                for index in keys.indices {
                    #expect(replies[2 * index] == .status("OK"))
                    #expect(replies[2 * index + 1] == .integer(Int64(index + 1)))
                }
                let transaction = keys.count * 2
                #expect(replies[transaction] == .status("OK"))
                #expect(replies[transaction + 3] == .array([.integer(3), .integer(4)]))
                #expect(replies[transaction + 4] == .status("PONG"))
                for (index, key) in keys.enumerated() {
                    let expected = key == "{p1}:value" ? 4 : index + 1
                    #expect(replies[transaction + 5 + index].string == "\(expected)", "\(key)")
                }
                let owners = Set(keys.compactMap { client.clusterRouter?.owner(of: RedisArgument($0).hashSlot) })
                #expect(owners.count == 3)
            }
        }
    }

    @Test("EVALSHA finds its script missing on each node after SCRIPT FLUSH and loads it there")
    func scriptsPerNode() async throws {
        try await withSharedCluster { cluster in
            try await withClient(url: cluster.url) { client in
                let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
                let keys = spreadKeys(30, prefix: "s")
                for key in keys {
                    try await client.del([RedisArgument(key)])
                }
                for key in keys {
                    #expect(try await client.eval(script, keys: [RedisArgument(key)], arguments: ["2"]) == .integer(2))
                }
                for port in try await cluster.primaryPorts() {
                    try await cluster.cli(port: port, ["script", "flush"])
                }
                for key in keys {
                    #expect(try await client.eval(script, keys: [RedisArgument(key)], arguments: ["3"]) == .integer(5))
                }
                for port in try await cluster.primaryPorts() {
                    #expect(try await cluster.cli(port: port, ["script", "exists", script.sha1]).contains("1"))
                }
            }
        }
    }

    @Test("pub/sub on a cluster: classic channels reach subscribers on any node, sharded ones their shard")
    func pubSub() async throws {
        try await withSharedCluster { cluster in
            try await withClient(url: cluster.url) { client in
                let classic = try await client.subscribe(["news"])
                let sharded = try await client.subscribe(shardChannels: ["{room}:a", "{room}:b"])
                #expect(try await client.publish("news", message: "hello") >= 0)
                #expect(try await client.spublish("{room}:b", message: "shard") == 1)
                var classicIterator = classic.makeAsyncIterator()
                var shardedIterator = sharded.makeAsyncIterator()
                #expect(
                    await classicIterator.next() == RedisPubSubMessage(channel: "news", payload: Array("hello".utf8))
                )
                #expect(
                    await shardedIterator.next()
                        == RedisPubSubMessage(channel: "{room}:b", payload: Array("shard".utf8))
                )
                await #expect(throws: RedisError.self) { try await client.subscribe(shardChannels: ["{x}", "{y}"]) }
            }
        }
    }

    @Test("a sharded subscription follows its channel's slot to another primary")
    func shardedSubscriptionFollowsSlot() async throws {
        try await withCluster(RedisTestClusterOptions(replicasPerPrimary: 0)) { cluster in
            try await withClient(url: cluster.url) { client in
                let channel = "{moving-room}:events"
                let slot = RedisArgument(channel).hashSlot
                let subscription = try await client.subscribe(shardChannels: [channel])
                let router = try #require(client.clusterRouter)
                let source = try #require(router.owner(of: slot)).port
                let target = try #require(try await cluster.primaryPorts().first { $0 != source })
                try await cluster.moveSlot(slot, from: source, to: target)
                var iterator = subscription.makeAsyncIterator()
                // The server ends the subscription on the old owner; the client subscribes again on the new one.
                let deadline = ContinuousClock.now + TestTiming.scaled(.seconds(20))
                var received = false
                while !received && ContinuousClock.now < deadline {
                    if try await client.spublish(RedisArgument(channel), message: "after the move") == 1 {
                        received = await iterator.next()?.text == "after the move"
                    } else {
                        try await Task.sleep(for: .milliseconds(50))  // not resubscribed yet: publish again
                    }
                }
                #expect(received)
            }
        }
    }

    @Test("nothing is read from a replica")
    func primariesOnly() async throws {
        try await withSharedCluster { cluster in
            try await withClient(url: cluster.url) { client in
                for key in spreadKeys(60, prefix: "r") {
                    try await client.set(RedisArgument(key), value: "x")
                    _ = try await client.get(RedisArgument(key))
                    _ = try await client.pipeline([["GET", RedisArgument(key)], ["EXISTS", RedisArgument(key)]])
                }
                let primaries = try await cluster.primaryPorts()
                for port in cluster.ports where !primaries.contains(port) {
                    let stats = try await cluster.cli(port: port, ["info", "commandstats"])
                    #expect(!stats.contains("cmdstat_get:"), "replica \(port) answered GET: \(stats)")
                    #expect(!stats.contains("cmdstat_exists:"), "replica \(port) answered EXISTS")
                }
            }
        }
    }
}
