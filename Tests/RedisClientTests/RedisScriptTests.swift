import Testing

@testable import RedisClient

@Suite("RedisScript")
struct RedisScriptTests {
    // Redis' own documentation names `return 'hello'`… by SHA-1; these are FIPS 180 / Redis reference values.
    @Test("SHA-1 matches published values")
    func sha1() {
        #expect(RedisScript("abc").sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(RedisScript("").sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }

    @Test(
        "a script runs when its digest failed (no name) or is not the server's",
        arguments: ["", "0000000000000000000000000000000000000000"]
    )
    func evalWithoutAUsableDigest(name: String) async throws {
        try await withRedisURL { (url: String) async throws in
            try await withClient(url: url) { (client: RedisClient) async throws in
                let script = RedisScript(source: "return {KEYS[1], ARGV[1]}", sha1: name)
                let reply = try await client.eval(script, keys: ["k"], arguments: ["a"])
                #expect(reply == .array([.bulk(Array("k".utf8)), .bulk(Array("a".utf8))]))
            }
        }
    }
}
