import Testing

@testable import JWTCore

@Suite("Base64URL")
struct Base64URLTests {
    /// RFC 4648 §10 test vectors, without padding.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func rfc4648(plain: String, encoded: String) {
        #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
        #expect(Base64URL.decode(encoded) == Array(plain.utf8))
    }

    @Test func usesTheURLAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
    }

    @Test(arguments: [
        "Zg==", "Zm8=",  // padding
        "Zm9v+", "Zm/v", "Zm9v Yg", "Zm9?", "Zm9v\n",  // characters outside the alphabet
        "Z", "Zm9vY",  // a length of 1 modulo 4 cannot be produced by any input
        "Zh", "Zm9", "Zm9vYh",  // non-zero trailing bits: a second, non-canonical spelling
    ])
    func rejectsNonCanonical(text: String) {
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func roundTripsEveryLength() throws {
        for length in 0..<70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let encoded = Base64URL.encode(bytes)
            #expect(encoded.count == Base64URL.encodedLength(of: length))
            #expect(Base64URL.decode(encoded) == bytes)
        }
    }
}
