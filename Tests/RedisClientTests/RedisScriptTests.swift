import RedisClient
import Testing

@Suite("RedisScript")
struct RedisScriptTests {
    // Redis' own documentation names `return 'hello'`… by SHA-1; these are FIPS 180 / Redis reference values.
    @Test("SHA-1 matches published values")
    func sha1() {
        #expect(RedisScript("abc").sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(RedisScript("").sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
