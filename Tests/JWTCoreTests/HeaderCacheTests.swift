import AuthKitClock
import Testing

@testable import JWTCore

/// The verifier's cache of accepted header segments must never change a verdict.
@Suite("HeaderCache")
struct HeaderCacheTests {
    @Test func acceptedHeadersAreCachedAndStillChecked() throws {
        let verifier = try TestTokens.verifier()
        let good = try TestTokens.make(header: #"{"alg":"HS256","typ":"JWT"}"#, payload: #"{"exp":1700000600}"#)
        _ = try verifier.verify(good)
        #expect(verifier.headerCache.count == 1)
        // Same header segment, bad signature: the cached header must not skip the signature check.
        let tampered = String(good.dropLast(2)) + (good.hasSuffix("AA") ? "BA" : "AA")
        try expectRejected(tampered, .invalidSignature, with: verifier)
        // Same header segment, expired claims: still refused.
        let expired = try TestTokens.make(header: #"{"alg":"HS256","typ":"JWT"}"#, payload: #"{"exp":1600000000}"#)
        try expectRejected(expired, .expired, with: verifier)
        #expect(try verifier.verify(good).header.algorithm == "HS256")
    }

    @Test func refusedHeadersAreNeverCached() throws {
        let verifier = try TestTokens.verifier()
        let refused = try TestTokens.make(
            header: #"{"alg":"HS256","jku":"https://x"}"#,
            payload: #"{"exp":1700000600}"#
        )
        for _ in 0..<2 {
            try expectRejected(refused, .untrustedKeyReference, with: verifier)
        }
        #expect(verifier.headerCache.count == 0)
    }

    @Test func theCacheIsBounded() throws {
        let verifier = try TestTokens.verifier()
        for index in 0..<(HeaderCache.capacity + 5) {
            let token = try TestTokens.make(
                header: #"{"alg":"HS256","x":\#(index)}"#,
                payload: #"{"exp":1700000600}"#
            )
            _ = try verifier.verify(token)
        }
        #expect(verifier.headerCache.count == HeaderCache.capacity)
    }

    private func expectRejected(
        _ token: String,
        _ code: JWTError.Code,
        with verifier: JWTVerifier,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(throws: JWTError.self, sourceLocation: sourceLocation) { try verifier.verify(token) }
        do {
            _ = try verifier.verify(token)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        }
    }
}
