/// Which primary owns each of the 16384 slots of a cluster: a value read from `CLUSTER SHARDS` (Redis 7) or
/// `CLUSTER SLOTS` (older servers), corrected slot by slot by `MOVED` redirections.
///
/// Only primaries are recorded: a cluster client here never reads from replicas.
struct ClusterSlotMap: Sendable, Equatable {
    /// The primaries, each once; ``owner(of:)`` answers with one of them.
    private(set) var primaries: [RedisNodeAddress] = []
    /// For each slot, the index of its primary in `primaries`, or `unassigned`.
    private var owners = [UInt16](repeating: unassigned, count: HashSlot.count)
    /// How many slots each primary owns.
    private var slotCounts: [Int] = []
    private static let unassigned = UInt16.max

    /// An empty map: no slot has an owner.
    init() {}

    /// The primary that owns `slot`, or `nil` when no node serves it.
    func owner(of slot: Int) -> RedisNodeAddress? {
        guard (0..<HashSlot.count).contains(slot) else { return nil }
        let index = owners[slot]
        return index == Self.unassigned ? nil : primaries[Int(index)]
    }

    /// How many slots have an owner (16384 on a healthy cluster).
    var assignedSlots: Int { slotCounts.reduce(0, +) }

    /// Records that `slot` belongs to `node` (a `MOVED` redirection).
    mutating func assign(_ slot: Int, to node: RedisNodeAddress) {
        assign(slot...slot, to: node)
    }

    private mutating func assign(_ slots: ClosedRange<Int>, to node: RedisNodeAddress) {
        let index: Int
        if let existing = primaries.firstIndex(of: node) {
            index = existing
        } else {
            index = primaries.count
            primaries.append(node)
            slotCounts.append(0)
        }
        for slot in slots {
            let previous = owners[slot]
            if previous != Self.unassigned {
                slotCounts[Int(previous)] -= 1
            }
            owners[slot] = UInt16(index)
        }
        slotCounts[index] += slots.count
        if slotCounts.contains(0) {
            dropNodesWithoutSlots()
        }
    }

    /// Drops the primaries that no longer own any slot (after MOVED corrections), so that `primaries` stays the set
    /// of nodes worth a connection.
    private mutating func dropNodesWithoutSlots() {
        let kept = primaries.indices.filter { slotCounts[$0] > 0 }
        var renumber = [UInt16](repeating: Self.unassigned, count: primaries.count)
        for (new, old) in kept.enumerated() {
            renumber[old] = UInt16(new)
        }
        primaries = kept.map { primaries[$0] }
        slotCounts = kept.map { slotCounts[$0] }
        for slot in owners.indices where owners[slot] != Self.unassigned {
            owners[slot] = renumber[Int(owners[slot])]
        }
    }

    /// Reads a `CLUSTER SHARDS` reply: for each shard its slot ranges and its nodes; the primary is the node with
    /// role `master`, preferring one whose health is not `fail` (a failed primary stays listed until forgotten).
    ///
    /// - Parameters:
    ///   - tls: take each node's `tls-port` when it has one.
    ///   - answeringHost: the host of the node that answered, for a node whose endpoint is unknown (`?` or empty).
    /// - Throws: ``RedisError/Code/protocol`` for a reply of another shape.
    static func fromShards(_ reply: RedisReply, tls: Bool, answeringHost: String) throws(RedisError) -> ClusterSlotMap {
        guard let shards = reply.array else { throw malformed("CLUSTER SHARDS", reply) }
        var map = ClusterSlotMap()
        for shard in shards {
            let fields = try pairs(shard, "CLUSTER SHARDS")
            guard let slotList = fields["slots"]?.array, let nodes = fields["nodes"]?.array, slotList.count % 2 == 0
            else { throw malformed("CLUSTER SHARDS", shard) }
            guard !slotList.isEmpty else { continue }
            var best: (rank: Int, address: RedisNodeAddress)?
            for node in nodes {
                let info = try pairs(node, "CLUSTER SHARDS")
                guard info["role"]?.string == "master" else { continue }
                let rank = ["online": 3, "loading": 2].first { $0.key == info["health"]?.string }?.value ?? 1
                let port = (tls ? info["tls-port"]?.integer : nil) ?? info["port"]?.integer ?? 0
                let endpoint = info["endpoint"]?.string ?? info["ip"]?.string ?? ""
                let host = endpoint.isEmpty || endpoint == "?" ? answeringHost : endpoint
                guard (1...65535).contains(port) else { throw malformed("CLUSTER SHARDS", node) }
                if rank > best?.rank ?? 0 {
                    best = (rank, RedisNodeAddress(host: host, port: Int(port)))
                }
            }
            guard let primary = best?.address else { continue }
            for index in stride(from: 0, to: slotList.count, by: 2) {
                map.assign(try range(slotList[index], slotList[index + 1], "CLUSTER SHARDS"), to: primary)
            }
        }
        return map
    }

    /// Reads a `CLUSTER SLOTS` reply: `[start, end, [host, port, id, …], replicas…]` per range; a null or empty
    /// host means the node that answered, as the command's documentation says.
    /// - Throws: ``RedisError/Code/protocol`` for a reply of another shape.
    static func fromSlots(_ reply: RedisReply, answeringHost: String) throws(RedisError) -> ClusterSlotMap {
        guard let ranges = reply.array else { throw malformed("CLUSTER SLOTS", reply) }
        var map = ClusterSlotMap()
        for entry in ranges {
            guard let parts = entry.array, parts.count >= 3, let primary = parts[2].array, primary.count >= 2,
                let port = primary[1].integer, (1...65535).contains(port)
            else { throw malformed("CLUSTER SLOTS", entry) }
            let host = primary[0].string ?? ""
            let address = RedisNodeAddress(host: host.isEmpty || host == "?" ? answeringHost : host, port: Int(port))
            map.assign(try range(parts[0], parts[1], "CLUSTER SLOTS"), to: address)
        }
        return map
    }

    private static func range(
        _ start: RedisReply,
        _ end: RedisReply,
        _ command: String
    ) throws(RedisError)
        -> ClosedRange<Int>
    {
        guard let first = start.integer, let last = end.integer, first >= 0, first <= last, last < HashSlot.count
        else { throw malformed(command, .array([start, end])) }
        return Int(first)...Int(last)
    }

    /// A flat `[name, value, name, value…]` array (how RESP2 carries a map) as a dictionary.
    private static func pairs(_ reply: RedisReply, _ command: String) throws(RedisError) -> [String: RedisReply] {
        guard let items = reply.array, items.count % 2 == 0 else { throw malformed(command, reply) }
        var result: [String: RedisReply] = [:]
        for index in stride(from: 0, to: items.count, by: 2) {
            guard let name = items[index].string else { throw malformed(command, reply) }
            result[name] = items[index + 1]
        }
        return result
    }

    private static func malformed(_ command: String, _ reply: RedisReply) -> RedisError {
        RedisError(.protocol, "unexpected \(command) reply: \(String(describing: reply).prefix(200))")
    }
}
