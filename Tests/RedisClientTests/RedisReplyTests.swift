import RedisClient
import Testing

@Suite("RedisReply")
struct RedisReplyTests {
    @Test("typed accessors")
    func accessors() {
        #expect(RedisReply.bulk(Array("12".utf8)).integer == 12)
        #expect(RedisReply.bulk([0, 1, 2]).bytes == [0, 1, 2])
        #expect(RedisReply.status("OK").string == "OK")
        #expect(RedisReply.integer(5).string == nil)
        #expect(RedisReply.null.isNull)
        #expect(RedisReply.array([.integer(1)]).array == [.integer(1)])
        #expect(RedisReply.error("ERR x").errorMessage == "ERR x")
    }

    @Test("arguments are binary safe")
    func arguments() {
        #expect(RedisArgument([0, 255]).bytes == [0, 255])
        #expect(RedisArgument(-42).bytes == Array("-42".utf8))
        #expect(RedisArgument(Double.infinity).bytes == Array("+inf".utf8))
        let literal: RedisArgument = "key"
        #expect(literal.bytes == Array("key".utf8))
    }
}
