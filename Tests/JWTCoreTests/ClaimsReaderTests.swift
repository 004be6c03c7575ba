import AuthKitTesting
import Testing

@testable import JWTCore

/// The payload reader that goes straight to claims must agree with parsing the object and then reading its
/// claims, on every input: same claims, same custom members in the same order, same error code.
@Suite("JSONParser.parseClaims")
struct ClaimsReaderTests {
    static let header = #"{"alg":"HS256","typ":"JWT"}"#

    /// What the two-step path (parse the object, then read claims from it) makes of `text`.
    private func twoStep(_ text: String) -> Result<JWTClaims, JWTError> {
        let bytes = Array(text.utf8)
        do throws(JWTError) {
            let object = try JSONParser.parseObject(bytes, maxDepth: 16, what: "payload")
            return .success(try JWTClaims(payload: object))
        } catch {
            return .failure(error)
        }
    }

    /// What the direct reader makes of `text`.
    private func direct(_ text: String) -> Result<JWTClaims, JWTError> {
        do throws(JWTError) {
            return .success(try JSONParser.parseClaims(Array(text.utf8), maxDepth: 16))
        } catch {
            return .failure(error)
        }
    }

    private func expectSame(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        switch (twoStep(text), direct(text)) {
        case (.success(let expected), .success(let actual)):
            #expect(actual == expected, "\(text)", sourceLocation: sourceLocation)
            #expect(
                actual.custom.members.map(\.name) == expected.custom.members.map(\.name),
                sourceLocation: sourceLocation
            )
        case (.failure(let expected), .failure(let actual)):
            #expect(actual.code == expected.code, "\(text): \(actual) vs \(expected)", sourceLocation: sourceLocation)
        case (let expected, let actual):
            Issue.record("\(text): two-step \(expected), direct \(actual)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [
        #"{"iss":"a","sub":"b","aud":["c","d"],"exp":1700000600,"nbf":1,"iat":2.5,"jti":"j","role":"admin"}"#,
        #"{}"#,
        #" { "exp" : 1 , "x" : { "iss" : 5 } , "y" : [ 1 , "z" ] } "#,
        #"{"\u0069ss":"escaped","s\u0075b":"also"}"#,
        #"{"iss":"a","\u0069ss":"b"}"#,
        #"{"aud":"one"}"#,
        #"{"aud":[]}"#,
        #"{"aud":["a",1]}"#,
        #"{"aud":{"a":1}}"#,
        #"{"iss":5}"#,
        #"{"exp":"soon"}"#,
        #"{"exp":-1}"#,
        #"{"exp":1e300}"#,
        #"{"exp":null}"#,
        #"{"iss":5,"exp":"x"}"#,
        #"{"iss":5,"a":tru}"#,
        #"{"exp":"x","a":1,"a":2}"#,
        #"{"is":"short","isss":"long","ISS":"case","foo":1,"iat":3}"#,
        #"{"x":1,"x":2}"#,
        #"{"x":1,"\u0078":2}"#,
        #"{"exp":1,"exp":1}"#,
        #"{"exp":1}x"#,
        #"{"exp":1,}"#,
        #"{"exp" 1}"#,
        #"{"exp":}"#,
        #"{"exp":1"#,
        #"{"ex"#,
        #"{"#,
        #"[1]"#,
        #""iss""#,
        #""#,
        #"{"a":"\ud800"}"#,
        #"{"i\ss":1}"#,
        #"{"d":[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]}"#,
    ])
    func agreesWithParsingTheObjectFirst(text: String) {
        expectSame(text)
    }

    @Test func agreesOnManyGeneratedPayloads() {
        var generator = SeededGenerator(seed: 0x5EED)
        let names = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti", "\\u0069at", "role", "x", "isx", "\\u0078"]
        let values = [
            #""s""#, "1", "1.5", "-3", "null", "true", #"["a"]"#, #"["a",2]"#, "{}", #"{"exp":"no"}"#, "1e999",
            #""https://api.example.com/tenant""#, #""Xq2v\"9f\\J0\u00e9tQm3cD7kLw8RzA""#, #""ünïcödé, then more text""#,
            #""tab\there""#, #""""#,
        ]
        for _ in 0..<2_000 {
            let count = Int.random(in: 0...6, using: &generator)
            let members = (0..<count).map { _ in
                "\"\(names.randomElement(using: &generator) ?? "x")\":\(values.randomElement(using: &generator) ?? "1")"
            }
            expectSame("{" + members.joined(separator: ",") + "}")
        }
    }

    @Test func escapedRegisteredNamesAreRegistered() throws {
        let token = try TestTokens.make(header: Self.header, payload: #"{"\u0073ub":"42","exp":1700000600}"#)
        let verified = try TestTokens.verifier().verify(token)
        #expect(verified.claims.subject == "42")
        #expect(verified.claims.custom.isEmpty)
        let twice = try TestTokens.make(header: Self.header, payload: #"{"sub":"42","\u0073ub":"1","exp":1700000600}"#)
        try TestTokens.expectRejected(twice, .duplicateMember)
    }

    @Test func aWronglyTypedClaimIsReportedAfterTheSignature() throws {
        let token = try TestTokens.make(header: Self.header, payload: #"{"exp":"later"}"#)
        try TestTokens.expectRejected(token, .invalidClaim)
        let forged = token.prefix(upTo: token.lastIndex(of: ".") ?? token.endIndex) + ".AAAA"
        try TestTokens.expectRejected(String(forged), .invalidSignature)
    }

    @Test func thePayloadIsParsedOnlyUnderAValidSignature() throws {
        let token = try TestTokens.make(header: Self.header, payload: #"{"exp":"later","a":tru}"#)
        try TestTokens.expectRejected(token, .malformed)
        let forged = token.prefix(upTo: token.lastIndex(of: ".") ?? token.endIndex) + ".AAAA"
        try TestTokens.expectRejected(String(forged), .invalidSignature)
    }

    @Test func payloadObjectKeepsTheTokensOrder() throws {
        let payload = #"{"z":1,"exp":1700000600,"a":{"b":[true]},"sub":"42"}"#
        let verified = try TestTokens.verifier().verify(try TestTokens.make(header: Self.header, payload: payload))
        #expect(verified.payloadObject.members.map(\.name) == ["z", "exp", "a", "sub"])
        #expect(verified.payloadObject["a"] == ["b": [true]])
        #expect(verified.claims.custom.members.map(\.name) == ["z", "a"])
    }

    /// One audience is stored as its string; the property still reads and writes lists of every length, and a
    /// string and a one-element list are the same claim.
    @Test func audienceReadsAsAListWhateverItsForm() throws {
        let single = try JSONParser.parseClaims(Array(#"{"aud":"api"}"#.utf8), maxDepth: 16)
        let listed = try JSONParser.parseClaims(Array(#"{"aud":["api"]}"#.utf8), maxDepth: 16)
        #expect(single.audience == ["api"])
        #expect(single == listed && single.hashValue == listed.hashValue)
        #expect(single == JWTClaims(audience: ["api"]))
        for list in [[], ["a"], ["a", "b"], ["a", "b", "c"]] as [[String]] {
            var claims = JWTClaims(audience: list)
            #expect(claims.audience == list)
            #expect(claims.containsAudience { $0 == "b" } == list.contains("b"))
            claims.audience = nil
            #expect(claims.audience == nil && !claims.contains(.aud))
        }
    }
}
