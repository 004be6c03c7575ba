/// How a pipeline is cut for a cluster: into units that must each run on one node, on one connection, in order.
///
/// A unit is one command with keys, a whole transaction (MULTI … EXEC or DISCARD, whose keyed commands must share
/// one slot), or either of these followed by the commands without keys that come right after it: a `PING` or
/// `WAIT` goes with the command before it, on the same connection, which is what `WAIT` needs. Units of the same
/// node are then sent together; their order among nodes is not kept, as no order across nodes exists.
enum ClusterPipelinePlan {
    /// Commands `range` of the pipeline, bound for the owner of `slot` (`nil`: no keys at all, any primary).
    struct Unit: Equatable, Sendable {
        /// The positions of the unit's commands in the pipeline.
        var range: Range<Int>
        /// The slot of every key in the unit.
        var slot: Int?
    }

    /// Cuts `commands` (whose uppercased names are `names`, and whose MULTI, EXEC and DISCARD were checked to form
    /// closed transactions) into units.
    /// - Throws: ``RedisError/Code/crossSlot`` for a command or transaction whose keys span slots.
    static func units(_ commands: [[RedisArgument]], names: [String]) throws(RedisError) -> [Unit] {
        var units: [Unit] = []
        var index = 0
        while index < commands.count {
            if names[index] == "MULTI" {
                var end = index + 1
                var slot: Int?
                while end < commands.count, names[end] != "EXEC", names[end] != "DISCARD" {
                    if let next = try CommandKeys.slot(names[end], commands[end]) {
                        if let slot, slot != next {
                            throw CommandKeys.crossSlot(
                                "a transaction",
                                commands[end][CommandKeys.indices(names[end], commands[end])[0]]
                            )
                        }
                        slot = next
                    }
                    end += 1
                }
                let last = min(end, commands.count - 1)
                units.append(Unit(range: index..<(last + 1), slot: slot))
                index = last + 1
                continue
            }
            let slot = try CommandKeys.slot(names[index], commands[index])
            if slot == nil, let previous = units.indices.last {
                units[previous].range = units[previous].range.lowerBound..<(index + 1)
            } else {
                units.append(Unit(range: index..<(index + 1), slot: slot))
            }
            index += 1
        }
        // Keyless commands at the start go where the first keyed unit goes.
        if let first = units.first, first.slot == nil, units.count > 1 {
            units[1].range = first.range.lowerBound..<units[1].range.upperBound
            units.removeFirst()
        }
        return units
    }
}
