import AuthKit
import AuthKitServer
import AuthKitTesting
import Foundation
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
            #expect(String(buffer: response.body) == #"{"keys":[]}"#)
        }
    }

    @Test func tokensNameTheKeyTheyWereSignedWith() async throws {
        let harness = try await TestServer()
        try await harness.test { client in
            let token = try await client.login("bob").access_token
            let header = try UnverifiedJWT.decode(token).header
            #expect(header["alg"] == "HS256")
            #expect(header["typ"] == "at+jwt")
            #expect(header["kid"]?.stringValue?.isEmpty == false)
        }
    }

    @Test(arguments: [SigningAlgorithm.es256, .eddsa])
    func asymmetricAlgorithmsAreRefusedClearlyUntilJWTCoreHasThem(algorithm: SigningAlgorithm) async throws {
        let error = try #require(throws: AuthServerError.self) { _ = try algorithm.generateKey() }
        #expect(error.code == .algorithmUnavailable)
        #expect(error.message.contains("not available in this build"))
        #expect(error.message.contains(algorithm.rawValue))
    }

    @Test func hs256KeysAreFreshEachStart() throws {
        let first = try SigningAlgorithm.hs256.generateKey()
        let second = try SigningAlgorithm.hs256.generateKey()
        #expect(first.algorithm == .hs256)
        #expect(first.kid != nil && first.kid != second.kid)
    }
}
