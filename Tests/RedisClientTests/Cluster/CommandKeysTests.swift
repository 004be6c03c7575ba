import Testing

@testable import RedisClient

/// Which arguments a cluster client routes by, and the refusal of keys that span slots.
@Suite("CommandKeys")
struct CommandKeysTests {
    private func indices(_ command: [RedisArgument]) -> [Int] {
        CommandKeys.indices(command[0].uppercasedName, command)
    }

    @Test("single-key commands route by their first argument")
    func singleKey() {
        #expect(indices(["GET", "k"]) == [1])
        #expect(indices(["HMGET", "h", "a", "b"]) == [1])
        #expect(indices(["SET", "k", "v", "PX", "10"]) == [1])
        #expect(indices(["SPUBLISH", "channel", "message"]) == [1])
    }

    @Test("multi-key and numkeys forms")
    func multiKey() {
        #expect(indices(["DEL", "a", "b", "c"]) == [1, 2, 3])
        #expect(indices(["MGET", "a", "b"]) == [1, 2])
        #expect(indices(["EXISTS", "a"]) == [1])
        #expect(indices(["MSET", "a", "1", "b", "2"]) == [1, 3])
        #expect(indices(["EVALSHA", "abc", "2", "k1", "k2", "arg"]) == [3, 4])
        #expect(indices(["EVAL", "return 1", "0", "arg"]) == [])
        #expect(indices(["FCALL", "f", "1", "k", "a"]) == [3])
        #expect(indices(["ZUNIONSTORE", "dest", "2", "a", "b", "WEIGHTS", "1", "2"]) == [1, 3, 4])
        #expect(indices(["ZINTER", "2", "a", "b"]) == [2, 3])
        #expect(indices(["BLMPOP", "0", "2", "a", "b", "LEFT"]) == [3, 4])
        #expect(indices(["BLPOP", "a", "b", "0"]) == [1, 2])
        #expect(indices(["XREAD", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0"]) == [4, 5])
        #expect(indices(["LMOVE", "a", "b", "LEFT", "RIGHT"]) == [1, 2])
        #expect(indices(["BITOP", "AND", "dest", "a", "b"]) == [2, 3, 4])
        #expect(indices(["OBJECT", "ENCODING", "k"]) == [2])
        #expect(indices(["MEMORY", "STATS"]) == [])
    }

    @Test("a numkeys that is missing, not a number or past the end names no key")
    func malformedNumkeys() {
        #expect(indices(["EVALSHA", "abc", "x", "k"]) == [])
        #expect(indices(["EVALSHA", "abc", "3", "k"]) == [])
        #expect(indices(["EVALSHA"]) == [])
        #expect(indices(["XREAD", "STREAMS", "s1"]) == [])
    }

    @Test("commands without keys")
    func keyless() {
        for command: [RedisArgument] in [
            ["PING"], ["INFO", "server"], ["CONFIG", "GET", "x"], ["SCRIPT", "LOAD", "s"],
            ["CLUSTER", "SHARDS"], ["PUBLISH", "c", "m"], ["WAIT", "1", "0"], ["SCAN", "0"], ["DBSIZE"],
        ] {
            #expect(indices(command) == [], "\(command)")
        }
    }

    @Test("keys sharing a hash tag share a slot; keys that do not are refused before sending")
    func crossSlot() throws {
        let slot = try CommandKeys.slot("MGET", ["MGET", "{u:1}:a", "{u:1}:b"])
        #expect(slot == HashSlot.slot(of: Array("u:1".utf8)))
        #expect(try CommandKeys.slot("PING", ["PING"]) == nil)
        let error = #expect(throws: RedisError.self) {
            try CommandKeys.slot("MGET", ["MGET", "{u:1}:a", "{u:2}:b"])
        }
        #expect(error?.code == .crossSlot)
        #expect(error?.message.contains("{u:2}:b") == true)
        #expect(throws: RedisError.self) {
            try CommandKeys.slot("EVALSHA", ["EVALSHA", "sha", "2", "a", "b"])
        }
    }
}
