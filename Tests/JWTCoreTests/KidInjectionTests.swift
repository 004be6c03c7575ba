import AuthKitClock
import Testing

@testable import JWTCore

/// A `kid` is attacker-controlled text used to pick a key: it must only ever be compared with the kids of the
/// configured keys, never used as a path, a query or a prefix, and a long or odd one must not cost more than
/// any other miss.
@Suite("kid injection")
struct KidInjectionTests {
    static let hostileKids: [String] = [
        "../../etc/passwd",
        "/dev/null",
        "file:///etc/passwd",
        "' OR '1'='1' --",
        "current' --",
        "current\u{0}",
        "\u{0}current",
        "current\r\nx-injected: 1",
        "$(touch /tmp/pwned)",
        "%63urrent",
        "CURRENT",
        "current ",
        "curren",
        "current/../current",
        "{\"$ne\":null}",
        String(repeating: "k", count: 1000),
    ]

    @Test("hostile kids select no key", arguments: hostileKids)
    func hostileKidSelectsNoKey(kid: String) throws {
        let header = try JSONValue.object(["alg": "HS256", "kid": .string(kid)]).jsonText()
        let token = try TestTokens.make(header: header, payload: #"{"sub":"a","exp":1800000000}"#)
        try TestTokens.expectRejected(
            token,
            .unknownKey,
            policy: JWTValidationPolicy(maxTokenSize: 16 * 1024),
            keys: try TestTokens.keySet(kid: "current")
        )
    }

    @Test("a huge kid is stopped by the size cap before any lookup")
    func hugeKidHitsTheSizeCap() throws {
        let header = #"{"alg":"HS256","kid":""# + String(repeating: "A", count: 100_000) + #""}"#
        let token = try TestTokens.make(header: header, payload: #"{"sub":"a","exp":1800000000}"#)
        try TestTokens.expectRejected(token, .tokenTooLarge, keys: try TestTokens.keySet(kid: "current"))
    }

    @Test("a kid that is not a string is malformed", arguments: ["7", "null", "[\"current\"]", "{\"id\":\"current\"}"])
    func nonStringKid(kid: String) throws {
        let token = try TestTokens.make(header: #"{"alg":"HS256","kid":\#(kid)}"#, payload: #"{"sub":"a"}"#)
        try TestTokens.expectRejected(token, .malformed, keys: try TestTokens.keySet(kid: "current"))
    }

    @Test("the genuine kid still works, so the rejections above are about the kid")
    func genuineKid() throws {
        let token = try TestTokens.make(
            header: #"{"alg":"HS256","kid":"current"}"#,
            payload: #"{"sub":"a","exp":1800000000}"#
        )
        #expect(
            try TestTokens.verifier(keys: try TestTokens.keySet(kid: "current")).verify(token).claims.subject == "a"
        )
    }

    /// A set of a handful of keys compares the token's `kid` with each key's, a larger one looks it up by hash:
    /// for sets of every size around the switch, each key verifies only tokens that name its own `kid`.
    @Test("sets of every size choose the key of the token's kid, and only it", arguments: 1...7)
    func everySetSizeChoosesByKid(size: Int) throws {
        let keys = try (0..<size).map { index in
            try JWTKey.hs256([UInt8](repeating: UInt8(index + 1), count: 32), kid: "k\(index)")
        }
        let set = try JWTKeySet(keys)
        let payload = #"{"sub":"a","exp":1800000000}"#
        for (signer, key) in keys.enumerated() {
            for named in 0...size {
                let token = try TestTokens.make(
                    header: #"{"alg":"HS256","kid":"k\#(named)"}"#,
                    payload: payload,
                    key: key
                )
                let expected: JWTError.Code? = named == size ? .unknownKey : named == signer ? nil : .invalidSignature
                if let expected {
                    try TestTokens.expectRejected(token, expected, keys: set)
                } else {
                    #expect(try TestTokens.verifier(keys: set).verify(token).claims.subject == "a")
                }
            }
        }
    }
}
