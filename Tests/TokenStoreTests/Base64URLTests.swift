import Testing

@testable import TokenStore

@Suite("Base64URL")
struct Base64URLTests {
    // RFC 4648 §10 vectors, without padding as base64url (§5) is used in AuthKit.
    @Test(
        "RFC 4648 test vectors",
        arguments: [
            ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ]
    )
    func vectors(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test("the URL-safe alphabet replaces + and /")
    func urlAlphabet() {
        #expect(Base64URL.encode([0xfb, 0xff, 0xbf]) == "-_-_")
        #expect(Base64URL.decode("-_-_") == [0xfb, 0xff, 0xbf])
    }

    @Test(
        "non-canonical or foreign text is rejected (Zm9 has non-zero trailing bits)",
        arguments: ["Zg==", "Zh", "Zm9", "Z", "+/+/", "Zm 9", "Zm9v\n"]
    )
    func rejects(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test("every byte value round-trips")
    func roundTrip() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
    }
}
