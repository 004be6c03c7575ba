import AuthKitClock
import Foundation
import Testing

@testable import JWTCore

@Suite("JWTSigner")
struct JWTSignerTests {
    static let claims = JWTClaims(
        issuer: "https://api.example.com",
        subject: "42",
        audience: ["api"],
        expiresAt: UnixTime(sinceEpoch: .milliseconds(1_700_000_600_900)),
        issuedAt: UnixTime(seconds: 1_700_000_000),
        id: "jti-1",
        custom: ["sid": "s-1", "scope": ["read", "write"]]
    )

    @Test func roundTrip() throws {
        let key = try JWTKey.hs256(TestTokens.secret, kid: "k1")
        let token = try JWTSigner(key: key).sign(Self.claims)
        let verifier = try JWTVerifier(
            keys: try JWTKeySet([key]),
            policy: JWTValidationPolicy(issuer: "https://api.example.com", audiences: ["api"]),
            clock: .fixed(TestTokens.now)
        )
        let verified = try verifier.verify(token)
        #expect(verified.header.keyID == "k1")
        #expect(verified.header.type == "JWT")
        #expect(verified.claims.subject == "42")
        #expect(verified.claims.expiresAt == UnixTime(seconds: 1_700_000_600))  // whole seconds
        #expect(verified.claims["scope"] == ["read", "write"])
    }

    @Test func outputIsDeterministicWithAFixedMemberOrder() throws {
        let key = try JWTKey.hs256(TestTokens.secret, kid: "k1")
        let first = try JWTSigner(key: key).sign(Self.claims)
        #expect(first == (try JWTSigner(key: key).sign(Self.claims)))
        let (header, payload) = try UnverifiedJWTDecoder.decode(first)
        #expect(header.members.map(\.name) == ["alg", "kid", "typ"])
        #expect(payload.members.map(\.name) == ["iss", "sub", "aud", "exp", "iat", "jti", "sid", "scope"])
        let payloadText = String(
            decoding: try #require(Base64URL.decode(first.split(separator: ".")[1])),
            as: UTF8.self
        )
        #expect(
            payloadText
                == #"{"iss":"https://api.example.com","sub":"42","aud":"api","exp":1700000600,"iat":1700000000,"#
                + #""jti":"jti-1","sid":"s-1","scope":["read","write"]}"#
        )
    }

    /// Cross-checked against Python's `hmac` module: HMAC-SHA256(key 0x5a×32, signing input) in base64url.
    @Test func knownAnswer() throws {
        let key = try JWTKey.hs256(TestTokens.secret)
        let token = try JWTSigner(key: key).sign(JWTClaims(subject: "42", expiresAt: UnixTime(seconds: 1_700_000_600)))
        #expect(token.hasPrefix("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImV4cCI6MTcwMDAwMDYwMH0."))
        let input = Array(token.split(separator: ".").prefix(2).joined(separator: ".").utf8)
        let expected = try input.withUnsafeBytes { try key.backing.sign($0) }
        #expect(token.split(separator: ".")[2] == Base64URL.encode(expected))
    }

    @Test func registeredClaimsCannotHideInCustom() throws {
        var claims = JWTClaims(expiresAt: UnixTime(seconds: 1))
        claims["exp"] = 99
        #expect(throws: JWTError.self) { try JWTSigner(key: try TestTokens.key()).sign(claims) }
    }

    struct AppClaims: Codable {
        let sub: String
        let exp: Date
        let admin: Bool
    }

    @Test func signsEncodableClaimsWithWholeSecondDates() throws {
        let key = try TestTokens.key()
        let claims = AppClaims(sub: "7", exp: Date(timeIntervalSince1970: 1_700_000_600.75), admin: true)
        let token = try JWTSigner(key: key).sign(claims)
        let verified = try TestTokens.verifier().verify(token)
        #expect(verified.claims.expiresAt == UnixTime(seconds: 1_700_000_600))
        #expect(verified.claims["admin"] == true)
    }
}

/// The signer writes claims straight to bytes; the result must be exactly what the generic writer gives.
@Suite("JWTClaims payload writer")
struct JWTClaimsPayloadWriterTests {
    static let cases: [JWTClaims] = [
        JWTClaims(),
        JWTClaims(subject: "42"),
        JWTClaims(
            issuer: "https://api.example.com",
            subject: "user \"quoted\" \\ back\tslash\u{1}",
            audience: ["api"],
            expiresAt: UnixTime(seconds: 1_700_000_600),
            notBefore: UnixTime(seconds: 1_700_000_000),
            issuedAt: UnixTime(seconds: 1_700_000_000),
            id: "jti-é-✓",
            custom: ["role": "admin", "n": 1.5, "list": [true, nil, "x\n"], "obj": ["k": "v"]]
        ),
        JWTClaims(audience: ["a", "b"], custom: ["sid": "s"]),
    ]

    @Test(arguments: cases)
    func directWriterMatchesTheObjectWriter(claims: JWTClaims) throws {
        var direct: [UInt8] = []
        try claims.writePayload(to: &direct)
        var generic: [UInt8] = []
        try JSONWriter.write(try claims.payloadObject(), to: &generic)
        #expect(direct == generic)
        // And it parses back to the same claims.
        let parsed = try JWTClaims(payload: try JSONParser.parseObject(direct, maxDepth: 16, what: "payload"))
        #expect(parsed == claims)
    }

    @Test func registeredNamesInCustomAreRefused() throws {
        var claims = JWTClaims()
        claims.custom = ["exp": 1]
        var output: [UInt8] = []
        #expect(throws: JWTError.self) { try claims.writePayload(to: &output) }
    }
}
