import Testing

@testable import RedisClient

/// CRC16 and the hash-tag rule of the Redis Cluster specification, against its published check value and slots
/// that `redis-cli CLUSTER KEYSLOT` reports (redis-server 7.0).
@Suite("HashSlot")
struct HashSlotTests {
    @Test("CRC16/XMODEM of 123456789 is the specification's check value 0x31C3")
    func checkValue() {
        #expect(HashSlot.crc16(Array("123456789".utf8)) == 0x31C3)
        #expect(HashSlot.crc16([]) == 0)
    }

    @Test(
        "slots match CLUSTER KEYSLOT",
        arguments: [
            ("123456789", 12739), ("somekey", 11058), ("foo{hash_tag}", 2515), ("bar{hash_tag}", 2515),
            ("{user1000}.following", 3443), ("{user1000}.followers", 3443), ("foo{}{bar}", 8363),
        ]
    )
    func knownSlots(key: String, slot: Int) {
        #expect(HashSlot.slot(of: Array(key.utf8)) == slot)
        #expect(RedisArgument(key).hashSlot == slot)
        #expect(RedisArgument(Array(key.utf8)).hashSlot == slot)
    }

    @Test("the hash tag is the text between the first { and the first } after it, when not empty")
    func hashTags() {
        func tag(_ key: String) -> String { String(decoding: HashSlot.hashTag(of: Array(key.utf8)), as: UTF8.self) }
        #expect(tag("{user1000}.following") == "user1000")
        #expect(tag("foo{}{bar}") == "foo{}{bar}")
        #expect(tag("foo{{bar}}zap") == "{bar")
        #expect(tag("foo{bar}{zap}") == "bar")
        #expect(tag("no-tag") == "no-tag")
        #expect(tag("open{only") == "open{only")
        #expect(tag("}{x}") == "x")
        #expect(HashSlot.slot(of: Array("authkit:{u:42}:epoch".utf8)) == HashSlot.slot(of: Array("u:42".utf8)))
    }

    @Test("every slot is below 16384, for any bytes")
    func range() {
        var generator = SystemRandomNumberGenerator()
        for length in 0..<200 {
            let key = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect((0..<HashSlot.count).contains(HashSlot.slot(of: key)))
        }
    }
}
