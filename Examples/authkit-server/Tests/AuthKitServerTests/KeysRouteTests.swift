import AuthKit
import AuthKitServer
import AuthKitTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("GET /.well-known/jwks.json and signing keys")
struct KeysRouteTests {
    @Test func hmacSecretIsNeverPublished() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let response = try await client.execute(uri: "/.well-known/jwks.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.cacheControl] == "max-age=300")
            #expect(String(buffer: response.body) == #"{"keys":[]}"#)
        }
    }

    @Test func tokensNameTheKeyTheyWereSignedWith() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let token = try await client.login("bob").access_token
            let header = try UnverifiedJWTDecoder.decode(token).header
            #expect(header["alg"] == "HS256")
            #expect(header["typ"] == "at+jwt")
            #expect(header["kid"]?.stringValue?.isEmpty == false)
        }
    }

    @Test(arguments: [SigningAlgorithm.es256, .eddsa])
    func asymmetricKeysArePublishedAndVerifyTheTokens(algorithm: SigningAlgorithm) async throws {
        let harness = try await TestServer(algorithm: algorithm)
        try await harness.test { client in
            let jwks = String(buffer: try await client.execute(uri: "/.well-known/jwks.json", method: .get).body)
            #expect(!jwks.contains("\"d\""), "the JWKS holds private key material")
            let token = try await client.login("alice").access_token
            let header = try UnverifiedJWTDecoder.decode(token).header
            #expect(header["alg"]?.stringValue == algorithm.rawValue)
            // Anyone holding only the published JWKS can verify the server's tokens.
            let keys = try JWTKeySet(jwks: jwks)
            #expect(keys.keys.count == 1)
            #expect(keys.keys.allSatisfy { !$0.canSign })
            #expect(keys.keys.first?.kid == header["kid"]?.stringValue)
            let verifier = try JWTVerifier(
                keys: keys,
                policy: JWTValidationPolicy(issuer: "http://localhost:8080", audiences: ["authkit-server"]),
                clock: harness.clock.timeSource
            )
            #expect(try verifier.verify(token).claims.subject == "alice")
            // A different first character of the signature always makes a different signature. Replacing the last
            // two characters with "AA" did not when they were "AA" already, one token in 256 (CI, 2026-12-07).
            let signature = token.index(after: try #require(token.lastIndex(of: ".")))
            let tampered = token.replacingCharacters(
                in: signature...signature,
                with: token[signature] == "A" ? "B" : "A"
            )
            #expect(tampered != token)
            #expect(throws: JWTError.self) { try verifier.verify(tampered) }
        }
    }

    @Test func es256IsTheDefault() async throws {
        let server = try await AuthServer()
        let pair = try await server.auth.login(userID: "alice")
        #expect(try UnverifiedJWTDecoder.decode(pair.accessToken).header["alg"] == "ES256")
    }
}
