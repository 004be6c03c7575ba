import AuthKitClock
import Foundation
import Testing

@testable import JWTCore

/// One test per rejection rule, each with the input that triggers it.
@Suite("JWTVerifier")
struct JWTVerifierTests {
    static let header = #"{"alg":"HS256","typ":"JWT"}"#
    static let claims = #"{"sub":"42","exp":1700000600,"iat":1700000000}"#

    private func token(header: String = header, payload: String = claims) throws -> String {
        try TestTokens.make(header: header, payload: payload)
    }

    @Test func acceptsAValidToken() throws {
        let verified = try TestTokens.verifier().verify(try token())
        #expect(verified.claims.subject == "42")
        #expect(verified.claims.expiresAt == UnixTime(seconds: 1_700_000_600))
    }

    // MARK: Structure, before any crypto

    @Test func sizeCap() throws {
        let big = try token(payload: #"{"exp":1700000600,"pad":""# + String(repeating: "a", count: 9000) + #""}"#)
        try TestTokens.expectRejected(big, .tokenTooLarge)
        try TestTokens.expectRejected(String(repeating: "A", count: 8193), .tokenTooLarge)
        var policy = JWTValidationPolicy()
        policy.maxTokenSize = 16 * 1024
        #expect(throws: Never.self) { try TestTokens.verifier(policy).verify(big) }
    }

    @Test(arguments: ["", "abc", "a.b", "a.b.c.d", "..", "...", ".e30.", "e30..x.y"])
    func exactlyThreeSegments(text: String) throws {
        try TestTokens.expectRejected(text, .malformed)
    }

    @Test func canonicalBase64URLOnly() throws {
        let good = try token()
        let parts = good.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try TestTokens.expectRejected(parts[0] + "=." + parts[1] + "." + parts[2], .malformed)  // padding
        try TestTokens.expectRejected(parts[0] + "." + parts[1] + "." + parts[2] + "=", .malformed)
        let plus = parts[2].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        try TestTokens.expectRejected(
            parts[0] + "." + parts[1] + "." + plus + (plus == parts[2] ? "+" : ""),
            .malformed
        )
        // A changed payload fails the signature; a non-canonical payload under a valid signature is still refused.
        try TestTokens.expectRejected(parts[0] + "." + parts[1] + "?" + "." + parts[2], .invalidSignature)
        for payloadSegment in [parts[1] + "?", parts[1] + "=", parts[1].dropLast() + "+"] {
            let signed = try TestTokens.make(headerSegment: parts[0], payloadSegment: String(payloadSegment))
            try TestTokens.expectRejected(signed, .malformed)
        }
        // Non-zero trailing bits: the 32-byte HS256 MAC encodes to 43 characters whose last carries 2 spare bits.
        var last = Array(parts[2].utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let value = try #require(alphabet.firstIndex(of: last[last.count - 1]))
        last[last.count - 1] = alphabet[value | 1]
        try TestTokens.expectRejected(
            parts[0] + "." + parts[1] + "." + String(decoding: last, as: UTF8.self),
            .malformed
        )
    }

    @Test func headerMustBeAUTF8JSONObject() throws {
        try TestTokens.expectRejected(try token(header: #"["alg","HS256"]"#), .malformed)
        try TestTokens.expectRejected(try token(header: "alg=HS256"), .malformed)
        let invalidUTF8 = try TestTokens.make(
            headerBytes: Array(#"{"alg":"HS256","x":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8),
            payloadBytes: Array(Self.claims.utf8)
        )
        try TestTokens.expectRejected(invalidUTF8, .malformed)
    }

    @Test func payloadMustBeAUTF8JSONObject() throws {
        try TestTokens.expectRejected(try token(payload: "[1]"), .malformed)
        try TestTokens.expectRejected(try token(payload: "\"exp\""), .malformed)
        try TestTokens.expectRejected(try token(payload: "hello"), .malformed)
        let invalidUTF8 = try TestTokens.make(
            headerBytes: Array(Self.header.utf8),
            payloadBytes: Array(#"{"exp":1700000600,"n":""#.utf8) + [0xFF] + Array(#""}"#.utf8)
        )
        try TestTokens.expectRejected(invalidUTF8, .malformed)
    }

    @Test func duplicateMembersAreRejected() throws {
        try TestTokens.expectRejected(try token(header: #"{"alg":"HS256","alg":"HS256"}"#), .duplicateMember)
        try TestTokens.expectRejected(
            try token(payload: #"{"sub":"42","exp":1700000600,"sub":"admin"}"#),
            .duplicateMember
        )
    }

    @Test func nestingDepthIsCapped() throws {
        let deep = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        try TestTokens.expectRejected(try token(payload: #"{"exp":1700000600,"d":"# + deep + "}"), .nestingTooDeep)
    }

    @Test func critMustBeUnderstood() throws {
        let unknown = try token(header: #"{"alg":"HS256","crit":["exp2"],"exp2":1}"#)
        try TestTokens.expectRejected(unknown, .unsupportedCritical)
        var policy = JWTValidationPolicy()
        policy.understoodCriticalHeaders = ["exp2"]
        #expect(throws: Never.self) { try TestTokens.verifier(policy).verify(unknown) }
        try TestTokens.expectRejected(try token(header: #"{"alg":"HS256","crit":[]}"#), .unsupportedCritical)
        try TestTokens.expectRejected(
            try token(header: #"{"alg":"HS256","crit":"exp2","exp2":1}"#),
            .unsupportedCritical
        )
        try TestTokens.expectRejected(
            try token(header: #"{"alg":"HS256","crit":["alg"]}"#),
            .unsupportedCritical,
            policy: policy
        )
        try TestTokens.expectRejected(
            try token(header: #"{"alg":"HS256","crit":["exp2"]}"#),
            .unsupportedCritical,
            policy: policy
        )
        try TestTokens.expectRejected(
            try token(header: #"{"alg":"HS256","crit":["b64"],"b64":false}"#),
            .unsupportedCritical
        )
    }

    @Test func typIsCheckedWhenConfigured() throws {
        var policy = JWTValidationPolicy()
        policy.expectedType = "at+jwt"
        try TestTokens.expectRejected(try token(), .invalidType, policy: policy)
        try TestTokens.expectRejected(try token(header: #"{"alg":"HS256"}"#), .invalidType, policy: policy)
        for accepted in ["at+jwt", "AT+JWT", "application/at+jwt"] {
            let typed = try token(header: #"{"alg":"HS256","typ":""# + accepted + #""}"#)
            #expect(throws: Never.self) { try TestTokens.verifier(policy).verify(typed) }
        }
        try TestTokens.expectRejected(try token(header: #"{"alg":"HS256","typ":7}"#), .malformed)
    }

    // MARK: Algorithm and key selection

    @Test(arguments: [
        #"{"alg":"none"}"#, #"{"alg":"None"}"#, #"{"alg":"hs256"}"#, #"{"alg":"HS256 "}"#, #"{"alg":"XS256"}"#,
        #"{"alg":null}"#, #"{"alg":["HS256"]}"#, #"{"typ":"JWT"}"#,
    ])
    func algorithmMustBeImplementedExactly(header: String) throws {
        try TestTokens.expectRejected(try token(header: header), .unsupportedAlgorithm)
    }

    @Test func noneWithAnEmptySignatureIsRejected() throws {
        let unsigned =
            Base64URL.encode(Array(#"{"alg":"none"}"#.utf8)) + "." + Base64URL.encode(Array(Self.claims.utf8)) + "."
        try TestTokens.expectRejected(unsigned, .unsupportedAlgorithm)
    }

    @Test func algorithmMustMatchTheKey() throws {
        let hs384Key = try JWTKey.hs384([UInt8](repeating: 1, count: 48), kid: "k")
        let keys = try JWTKeySet([hs384Key])
        try TestTokens.expectRejected(try token(header: #"{"alg":"HS256","kid":"k"}"#), .algorithmMismatch, keys: keys)
    }

    @Test func policyCanRestrictAlgorithms() throws {
        var policy = JWTValidationPolicy()
        policy.allowedAlgorithms = [.hs512]
        try TestTokens.expectRejected(try token(), .unsupportedAlgorithm, policy: policy)
    }

    @Test func unknownKidIsNeverTriedAgainstAnotherKey() throws {
        let keys = try TestTokens.keySet(kid: "current")
        try TestTokens.expectRejected(try token(header: #"{"alg":"HS256","kid":"other"}"#), .unknownKey, keys: keys)
        try TestTokens.expectRejected(try token(header: #"{"alg":"HS256","kid":7}"#), .malformed, keys: keys)
    }

    @Test func missingKidIsAmbiguousWithSeveralKeys() throws {
        let keys = try JWTKeySet([
            try JWTKey.hs256(TestTokens.secret, kid: "a"), try JWTKey.hs256([UInt8](repeating: 2, count: 32), kid: "b"),
        ])
        try TestTokens.expectRejected(try token(), .unknownKey, keys: keys)
    }

    @Test func signatureMustMatch() throws {
        let good = try token()
        let other = try TestTokens.make(
            header: Self.header,
            payload: Self.claims,
            key: try JWTKey.hs256([UInt8](repeating: 9, count: 32))
        )
        let forged = good.split(separator: ".").prefix(2).joined(separator: ".") + "." + other.split(separator: ".")[2]
        try TestTokens.expectRejected(forged, .invalidSignature)
        try TestTokens.expectRejected(
            good.split(separator: ".").prefix(2).joined(separator: ".") + ".",
            .invalidSignature
        )
        let tampered = try token(payload: #"{"sub":"43","exp":1700000600,"iat":1700000000}"#).split(separator: ".")
        let spliced = "\(tampered[0]).\(tampered[1]).\(good.split(separator: ".")[2])"
        try TestTokens.expectRejected(spliced, .invalidSignature)
    }

    @Test(arguments: ["jku", "x5u", "jwk", "x5c"])
    func keysAreNeverTakenFromTheToken(member: String) throws {
        let value = member == "jwk" ? #"{"kty":"oct","k":"AAAA"}"# : member == "x5c" ? #"["MIIB"]"# : #""https://evil""#
        try TestTokens.expectRejected(
            try token(header: #"{"alg":"HS256",""# + member + #"":"# + value + "}"),
            .untrustedKeyReference
        )
    }

    // MARK: Claims

    @Test func expiredWithLeeway() throws {
        let token = try token()
        try TestTokens.expectRejected(token, .expired, at: UnixTime(seconds: 1_700_000_600))
        var policy = JWTValidationPolicy()
        policy.leeway = .seconds(30)
        #expect(throws: Never.self) {
            try TestTokens.verifier(policy, at: UnixTime(seconds: 1_700_000_629)).verify(token)
        }
        try TestTokens.expectRejected(token, .expired, policy: policy, at: UnixTime(seconds: 1_700_000_630))
    }

    @Test func fractionalExpiry() throws {
        let token = try token(payload: #"{"exp":1700000000.5}"#)
        #expect(throws: Never.self) {
            try TestTokens.verifier(at: UnixTime(sinceEpoch: .milliseconds(1_700_000_000_400))).verify(token)
        }
        try TestTokens.expectRejected(token, .expired, at: UnixTime(sinceEpoch: .milliseconds(1_700_000_000_500)))
    }

    @Test func notBefore() throws {
        let token = try token(payload: #"{"exp":1700000600,"nbf":1700000100}"#)
        try TestTokens.expectRejected(token, .notYetValid)
        #expect(throws: Never.self) { try TestTokens.verifier(at: UnixTime(seconds: 1_700_000_100)).verify(token) }
    }

    @Test func issuedInTheFuture() throws {
        let token = try token(payload: #"{"exp":1700000600,"iat":1700000010}"#)
        try TestTokens.expectRejected(token, .issuedInFuture)
        var policy = JWTValidationPolicy()
        policy.leeway = .seconds(10)
        #expect(throws: Never.self) { try TestTokens.verifier(policy).verify(token) }
    }

    @Test func leewayIsCappedAtFiveMinutes() throws {
        var policy = JWTValidationPolicy()
        policy.leeway = .seconds(301)
        #expect(throws: JWTError(.invalidConfiguration, "leeway must be between 0 and 300 seconds")) {
            try JWTVerifier(keys: try TestTokens.keySet(), policy: policy)
        }
    }

    @Test(arguments: [
        #"{"exp":"1700000600"}"#, #"{"exp":true}"#, #"{"exp":null}"#, #"{"exp":[1700000600]}"#, #"{"exp":-1}"#,
        #"{"exp":1e300}"#, #"{"exp":253402300800}"#, #"{"exp":1700000600,"nbf":"0"}"#, #"{"exp":1700000600,"iat":{}}"#,
        #"{"exp":1700000600,"iss":1}"#, #"{"exp":1700000600,"sub":false}"#, #"{"exp":1700000600,"jti":2}"#,
        #"{"exp":1700000600,"aud":1}"#, #"{"exp":1700000600,"aud":["a",1]}"#,
    ])
    func registeredClaimTypes(payload: String) throws {
        try TestTokens.expectRejected(try token(payload: payload), .invalidClaim)
    }

    @Test func hugeNumbersAreRejected() throws {
        try TestTokens.expectRejected(try token(payload: #"{"exp":1e400}"#), .malformed)
    }

    @Test func expIsRequiredByDefault() throws {
        try TestTokens.expectRejected(try token(payload: #"{"sub":"42"}"#), .missingClaim)
        var policy = JWTValidationPolicy()
        policy.requiredClaims = []
        #expect(throws: Never.self) { try TestTokens.verifier(policy).verify(try token(payload: #"{"sub":"42"}"#)) }
    }

    /// The verifier hands on the instant it checked the time claims at, so the caller can judge the token at the
    /// same "now" without reading the clock again.
    @Test func checkedAtIsTheVerifiersReading() throws {
        let instant = TestTokens.now + .milliseconds(1_234)
        let verified = try TestTokens.verifier(at: instant).verify(try token(payload: #"{"exp":1700000600}"#))
        #expect(verified.checkedAt == instant)
    }

    @Test func requiredClaimsList() throws {
        var policy = JWTValidationPolicy()
        policy.requiredClaims = ["exp", "jti", "sid"]
        try TestTokens.expectRejected(try token(), .missingClaim, policy: policy)
        let complete = try token(payload: #"{"exp":1700000600,"jti":"j1","sid":"s1"}"#)
        #expect(throws: Never.self) { try TestTokens.verifier(policy).verify(complete) }
    }

    /// Every required claim is checked at once against the claims present (one mask test) before the ordered
    /// search that names a missing one; for every subset of the registered claims and policies requiring
    /// registered claims, a custom one or none, the verdict is what the list of required names gives.
    @Test func requiredClaimsAgainstEveryPresentSubset() throws {
        let registered = ["aud", "exp", "iat", "iss", "jti", "nbf", "sub"]
        let values = [
            "aud": #""api""#, "exp": "1700000600", "iat": "1699999999", "iss": #""i""#, "jti": #""j""#,
            "nbf": "1699999999", "sub": #""s""#,
        ]
        let policies: [Set<String>] = [
            [], ["exp"], ["exp", "iat", "sub", "jti"], Set(registered), ["sid"], ["exp", "sid"],
        ]
        for required in policies {
            var policy = JWTValidationPolicy()
            policy.requiredClaims = required
            let verifier = try TestTokens.verifier(policy)
            for subset in 0..<(1 << registered.count) {
                var present = registered.indices.filter { subset & (1 << $0) != 0 }.map { registered[$0] }
                if subset & 1 == 0 { present.append("sid") }
                let members = present.map { "\"\($0)\":\(values[$0] ?? #""x""#)" }
                let token = try token(payload: "{" + members.joined(separator: ",") + "}")
                let missing = required.sorted().first { !present.contains($0) }
                do {
                    _ = try verifier.verify(token)
                    #expect(missing == nil, "\(required) \(present)")
                } catch {
                    #expect(error.code == .missingClaim, "\(required) \(present): \(error)")
                    #expect(missing.map { error.message.contains("\"\($0)\"") } == true, "\(error.message)")
                }
            }
        }
    }

    /// A token verified from a string keeps the string and decodes its payload on access; one verified from
    /// bytes keeps the decoded payload. Both give the signed bytes, and the same claims.
    @Test func payloadIsTheSignedBytesWhicheverTheEntry() throws {
        let payloads = [
            #"{"exp":1700000600,"sub":"42","n":[1,{"k":"v"}]}"#, #"{"exp":1700000600}"#,
            #" {"exp":1700000600,"s":"é\u00e9"} "#,
            "{\"exp\":1700000600,\"pad\":\"\(String(repeating: "x", count: 3000))\"}",
        ]
        let verifier = try TestTokens.verifier()
        for payload in payloads {
            let token = try token(payload: payload)
            let fromText = try verifier.verify(token)
            let fromBytes = try Array(token.utf8).withUnsafeBytes { try verifier.verify(bytes: $0) }
            #expect(fromText.payload == Array(payload.utf8))
            #expect(fromBytes.payload == Array(payload.utf8))
            #expect(fromText.claims == fromBytes.claims)
            #expect(fromText.payloadObject == fromBytes.payloadObject)
        }
    }

    @Test func issuerMustMatchExactly() throws {
        var policy = JWTValidationPolicy()
        policy.issuer = "https://api.example.com"
        try TestTokens.expectRejected(try token(), .invalidIssuer, policy: policy)
        try TestTokens.expectRejected(
            try token(payload: #"{"exp":1700000600,"iss":"https://api.example.com/"}"#),
            .invalidIssuer,
            policy: policy
        )
        let good = try token(payload: #"{"exp":1700000600,"iss":"https://api.example.com"}"#)
        #expect(throws: Never.self) { try TestTokens.verifier(policy).verify(good) }
    }

    @Test func audienceStringOrArray() throws {
        var policy = JWTValidationPolicy()
        policy.audiences = ["api"]
        try TestTokens.expectRejected(try token(), .invalidAudience, policy: policy)
        try TestTokens.expectRejected(
            try token(payload: #"{"exp":1700000600,"aud":"web"}"#),
            .invalidAudience,
            policy: policy
        )
        try TestTokens.expectRejected(
            try token(payload: #"{"exp":1700000600,"aud":[]}"#),
            .invalidAudience,
            policy: policy
        )
        for payload in [#"{"exp":1700000600,"aud":"api"}"#, #"{"exp":1700000600,"aud":["web","api"]}"#] {
            #expect(throws: Never.self) { try TestTokens.verifier(policy).verify(try token(payload: payload)) }
        }
    }

    struct AppClaims: Decodable, Equatable {
        let sub: String
        let exp: Int
        let roles: [String]
    }

    @Test func customClaimsThroughCodable() throws {
        let token = try token(payload: #"{"sub":"42","exp":1700000600,"roles":["admin"]}"#)
        let claims = try TestTokens.verifier().verify(token, as: AppClaims.self)
        #expect(claims == AppClaims(sub: "42", exp: 1_700_000_600, roles: ["admin"]))
        #expect(throws: JWTError.self) { try TestTokens.verifier().verify(try self.token(), as: AppClaims.self) }
    }

    @Test func garbageNeverCrashes() throws {
        var generator = SystemRandomNumberGenerator()
        let verifier = try TestTokens.verifier()
        let alphabet = Array("eyJhbGciOiJIUzI1NiJ9.-_=+/{}\"\\\u{0}é😀".unicodeScalars)
        for _ in 0..<2000 {
            let length = Int.random(in: 0..<200, using: &generator)
            let text = String(
                String.UnicodeScalarView((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
            )
            #expect(throws: JWTError.self) { try verifier.verify(text) }
        }
    }
}
