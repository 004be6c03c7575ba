import Testing

@testable import RedisClient

/// Cutting a pipeline into the units that must run together on one node.
@Suite("ClusterPipelinePlan")
struct ClusterPipelinePlanTests {
    private func units(_ commands: [[RedisArgument]]) throws -> [ClusterPipelinePlan.Unit] {
        try ClusterPipelinePlan.units(commands, names: commands.map { $0[0].uppercasedName })
    }

    private func slot(_ tag: String) -> Int { HashSlot.slot(of: Array(tag.utf8)) }

    @Test("one unit per keyed command; a keyless command goes with the one before it")
    func keyed() throws {
        let plan = try units([["GET", "{a}1"], ["WAIT", "1", "10"], ["GET", "{b}2"], ["PING"], ["GET", "{a}3"]])
        #expect(
            plan == [
                .init(range: 0..<2, slot: slot("a")), .init(range: 2..<4, slot: slot("b")),
                .init(range: 4..<5, slot: slot("a")),
            ]
        )
    }

    @Test("keyless commands at the start go with the first keyed unit; all keyless is one unit for any node")
    func leadingKeyless() throws {
        #expect(try units([["PING"], ["GET", "{a}x"]]) == [.init(range: 0..<2, slot: slot("a"))])
        #expect(try units([["PING"], ["ECHO", "x"]]) == [.init(range: 0..<2, slot: nil)])
    }

    @Test("a transaction is one unit on its keys' one slot")
    func transaction() throws {
        let plan = try units([["MULTI"], ["SET", "{a}1", "x"], ["INCR", "{a}2"], ["EXEC"], ["GET", "{b}"]])
        #expect(plan == [.init(range: 0..<4, slot: slot("a")), .init(range: 4..<5, slot: slot("b"))])
    }

    @Test("a transaction or a command whose keys span slots is refused")
    func crossSlot() {
        let error = #expect(throws: RedisError.self) {
            try units([["MULTI"], ["SET", "{a}1", "x"], ["SET", "{b}1", "x"], ["EXEC"]])
        }
        #expect(error?.code == .crossSlot)
        #expect(throws: RedisError.self) { try units([["GET", "x"], ["MGET", "{a}1", "{b}1"]]) }
    }
}
