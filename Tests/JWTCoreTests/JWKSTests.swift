import AuthKitClock
import JWTCore
import Testing

/// JWKS parsing and export, RFC 7638 thumbprints, `use` and `key_ops`.
@Suite("JWKS")
struct JWKSTests {
    @Test("RFC 7638 §3.1: the thumbprint of the example RSA key")
    func rfc7638() throws {
        let jwk = #"""
            {"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}
            """#
        #expect(try JWTKey(jwk: jwk).thumbprint() == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
    }

    @Test(
        "a generated key's kid defaults to its thumbprint, for every asymmetric algorithm",
        arguments: [
            JWTAlgorithm.rs256, .ps512, .es256, .es384, .es512, .eddsa,
        ]
    )
    func defaultKeyID(algorithm: JWTAlgorithm) throws {
        let key = try JWTKey.generate(algorithm)
        #expect(key.kid == (try key.thumbprint()))
        let publicJWK = try key.jwk(includePrivate: false)
        #expect(publicJWK["d"] == nil && publicJWK["p"] == nil)
        #expect(publicJWK["kty"]?.stringValue == algorithm.keyType)
        let reloaded = try JWTKey(jwk: publicJWK)
        #expect(reloaded.kid == key.kid && !reloaded.canSign && reloaded.algorithm == algorithm)
        let privateJWK = try key.jwk(includePrivate: true)
        #expect(privateJWK["d"] != nil)
        #expect(try JWTKey(jwk: privateJWK).canSign)
    }

    @Test("the public JWKS of a key collection holds no private member and no HMAC secret")
    func publicExport() throws {
        let keys = try JWTKeySet([
            try JWTKey.generate(.rs256), try JWTKey.generate(.es256), try JWTKey.generate(.eddsa),
            try JWTKey.generateHMAC(.hs256),
        ])
        let jwks = try keys.publicJWKSString()
        for secret in [#""d""#, #""p""#, #""q""#, #""k""#, #""oct""#] { #expect(!jwks.contains(secret)) }
        let reloaded = try JWTKeySet(jwks: jwks)
        #expect(reloaded.keys.count == 3)
        #expect(reloaded.keys.allSatisfy { !$0.canSign && $0.isAsymmetric })
        #expect(Set(reloaded.keys.compactMap(\.kid)) == Set(keys.keys.prefix(3).compactMap(\.kid)))
    }

    @Test("key_ops [\"verify\"] cannot sign; [\"sign\"] cannot verify; use \"enc\" is refused")
    func keyOperations() throws {
        var jwk = try JWTKey.generate(.es256).jwk(includePrivate: true)
        jwk["use"] = nil
        jwk["key_ops"] = ["verify"]
        let verifyOnly = try JWTKey(jwk: jwk)
        #expect(!verifyOnly.canSign && verifyOnly.canVerify)
        #expect(throws: JWTError.self) { try JWTSigner(key: verifyOnly) }
        jwk["key_ops"] = ["sign"]
        let signOnly = try JWTKey(jwk: jwk)
        #expect(signOnly.canSign && !signOnly.canVerify)
        let token = try JWTSigner(key: signOnly).sign(JWTClaims(expiresAt: UnixTime(seconds: 4_000_000_000)))
        let error = #expect(throws: JWTError.self) { try JWTVerifier(keys: try JWTKeySet([signOnly])).verify(token) }
        #expect(error?.code == .invalidKey)
        jwk["key_ops"] = ["encrypt"]
        #expect(throws: JWTError.self) { try JWTKey(jwk: jwk) }
        jwk["key_ops"] = nil
        jwk["use"] = "enc"
        #expect(throws: JWTError.self) { try JWTKey(jwk: jwk) }
    }

    @Test("JWKS rules: duplicate kids, mixed secrets and public keys, unsupported kty and alg are refused")
    func setRules() throws {
        let a = try JWTKey.generate(.es256, kid: "a").jwkString(includePrivate: false)
        let b = try JWTKey.generate(.eddsa, kid: "a").jwkString(includePrivate: false)
        #expect(throws: JWTError.self) { try JWTKeySet(jwks: #"{"keys":[\#(a),\#(b)]}"#) }
        let secret = try JWTKey.generateHMAC(.hs256, kid: "s").jwkString(includePrivate: true)
        #expect(throws: JWTError.self) { try JWTKeySet(jwks: #"{"keys":[\#(a),\#(secret)]}"#) }
        #expect(throws: JWTError.self) { try JWTKeySet(jwks: #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256K"}]}"#) }
        #expect(throws: JWTError.self) { try JWTKeySet(jwks: #"{"keys":[{"kty":"foo"}]}"#) }
        #expect(try JWTKeySet(jwks: #"{"keys":[]}"#).keys.isEmpty)
    }

    @Test("a token's kid selects its key; an unknown kid is never tried against another key")
    func kidSelection() throws {
        let first = try JWTKey.generate(.es256, kid: "one")
        let second = try JWTKey.generate(.es256, kid: "two")
        let keys = try JWTKeySet(jwks: try JWTKeySet([first, second]).publicJWKSString())
        let verifier = try JWTVerifier(keys: keys)
        let claims = JWTClaims(expiresAt: UnixTime(seconds: 4_000_000_000))
        #expect(try verifier.verify(try JWTSigner(key: second).sign(claims)).header.keyID == "two")
        let unknown = try JWTSigner(key: first.withKeyID("three")).sign(claims)
        let error = #expect(throws: JWTError.self) { try verifier.verify(unknown) }
        #expect(error?.code == .unknownKey)
        let unnamed = try JWTSigner(key: first.withKeyID(nil)).sign(claims)
        #expect(throws: JWTError.self) { try verifier.verify(unnamed) }
    }
}

@Suite("PublishedKeySet")
struct PublishedKeySetTests {
    @Test("keys a verifier cannot use are skipped with their reason; a set built in code stays strict")
    func skipsUnusableKeys() throws {
        let key = try JWTKey.generate(.es256, kid: "sig-1")
        let text = try KeyRotationTests.providerJWKS(signingKey: key)
        #expect(throws: JWTError.self) { try JWTKeySet(jwks: text) }
        let published = try PublishedKeySet(jwks: text)
        #expect(published.keys.keys.map(\.kid) == ["sig-1"])
        #expect(published.skipped.map(\.kid) == ["enc-1", "k1", "x1", "pq"])
        #expect(published.skipped.map(\.index) == [0, 1, 3, 4])
        #expect(published.skipped[0].reason.contains("RSA-OAEP"))
        #expect(published.skipped[1].reason.contains("secp256k1"))
        #expect(published.skipped[3].description.contains("\"pq\""))
    }

    @Test("keys sharing a kid, or several without one, are all skipped: a token could not choose")
    func ambiguousKeysAreSkipped() throws {
        let first = try JWTKey.generate(.es256, kid: "dup").jwkString(includePrivate: false)
        let second = try JWTKey.generate(.eddsa, kid: "dup").jwkString(includePrivate: false)
        let third = try JWTKey.generate(.es256, kid: "ok").jwkString(includePrivate: false)
        let unnamedA = try JWTKey.generate(.es256).withKeyID(nil).jwkString(includePrivate: false)
        let unnamedB = try JWTKey.generate(.es256).withKeyID(nil).jwkString(includePrivate: false)
        let published = try PublishedKeySet(
            jwks: #"{"keys":[\#(first),\#(unnamedA),\#(third),\#(second),\#(unnamedB)]}"#
        )
        #expect(published.keys.keys.map(\.kid) == ["ok"])
        #expect(published.skipped.map(\.index) == [0, 1, 3, 4])
        #expect(published.skipped.allSatisfy { $0.reason.hasPrefix("several usable keys") })
    }

    @Test("the set is refused when the document is malformed, mixes secrets in, or leaves no usable key")
    func refusals() throws {
        let usable = try JWTKey.generate(.es256, kid: "a").jwkString(includePrivate: false)
        let secret = try JWTKey.generateHMAC(.hs256, kid: "s").jwkString(includePrivate: true)
        let documents = [
            #"{"keys":3}"#, #"{"keys":[1]}"#, "[]", #"{"keys":[]}"#, #"{"keys":[{"kty":"foo"}]}"#,
            #"{"keys":[\#(usable),\#(secret)]}"#,
        ]
        for document in documents {
            #expect(throws: JWTError.self, "\(document)") { try PublishedKeySet(jwks: document) }
        }
        #expect(try PublishedKeySet(jwks: usable).keys.keys.map(\.kid) == ["a"])
        #expect(try PublishedKeySet(jwks: #"{"keys":[\#(secret)]}"#).keys.keys.map(\.kid) == ["s"])
    }
}
