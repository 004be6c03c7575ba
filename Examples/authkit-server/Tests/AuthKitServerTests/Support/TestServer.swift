import AuthKit
import AuthKitServer
import AuthKitTesting
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// An ``AuthServer`` signing with HS256 over in-memory stores, a manual clock, and a token store that can be
/// made unreachable.
struct TestServer {
    let clock = ManualClock()
    let tokens: InstrumentedTokenStore
    let server: AuthServer

    init(algorithm: SigningAlgorithm = .hs256) async throws {
        let tokens = InstrumentedTokenStore(clock: clock.timeSource)
        self.tokens = tokens
        let store = AuthKitStore(name: "switchable") { _, timeSource in
            AuthKitStore.Backends(
                tokens: tokens,
                rateLimits: InMemoryRateLimitStore(clock: timeSource),
                permissions: InMemoryPermissionStore(clock: timeSource),
                invalidations: InMemoryPermissionInvalidationBus()
            )
        }
        server = try await AuthServer(algorithm: algorithm, store: store, clock: clock.timeSource)
    }

    /// Runs `body` against the router, without a socket.
    func test<Value>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await server.application(configuration: ApplicationConfiguration()).test(.router, body)
    }
}

/// The body of a token response.
struct Tokens: Decodable {
    let access_token: String
    let refresh_token: String
    let token_type: String
    let expires_in: Int
}

/// The body of an error response.
struct ErrorBody: Decodable {
    let error: String
    let message: String
}

/// One entry of `GET /sessions`.
struct SessionEntry: Decodable {
    let id: String
    let device: String
    let ip: String
    let created_at: String
    let last_seen: String
    let current: Bool
}

/// The body of `GET /me`.
struct Me: Decodable {
    let sub: String
    let sid: String
    let permissions: [String]
}

extension TestClientProtocol {
    /// Sends a JSON body.
    func post(_ uri: String, json: [String: String], headers: HTTPFields = [:]) async throws -> TestResponse {
        let data = try JSONSerialization.data(withJSONObject: json)
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(bytes: data))
    }

    /// `POST /login`, expected to succeed.
    func login(
        _ username: String,
        _ password: String? = nil,
        device: String = "test",
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> Tokens {
        let response = try await post(
            "/login",
            json: ["username": username, "password": password ?? "\(username)-password", "device": device]
        )
        #expect(response.status == .ok, sourceLocation: sourceLocation)
        return try response.decode(Tokens.self)
    }

    /// A request with `Authorization: Bearer token`.
    func execute(_ uri: String, method: HTTPRequest.Method = .get, token: String) async throws -> TestResponse {
        try await execute(uri: uri, method: method, headers: [.authorization: "Bearer \(token)"])
    }
}

extension TestResponse {
    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(body.readableBytesView))
    }

    /// Checks an error response: status, JSON `{"error","message"}` with `code`.
    func expectError(
        _ status: HTTPResponse.Status,
        _ code: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(self.status == status, sourceLocation: sourceLocation)
        #expect(headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        let body = try decode(ErrorBody.self)
        #expect(body.error == code, sourceLocation: sourceLocation)
        #expect(!body.message.isEmpty, sourceLocation: sourceLocation)
    }

    /// Checks a 401 for a bad token: `WWW-Authenticate: Bearer error="invalid_token"`.
    func expectInvalidToken(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try expectError(.unauthorized, "invalid_token", sourceLocation: sourceLocation)
        #expect(headers[.wwwAuthenticate] == "Bearer error=\"invalid_token\"", sourceLocation: sourceLocation)
    }
}

extension HTTPField.Name {
    /// `RateLimit-Policy`.
    static let rateLimitPolicy = HTTPField.Name("RateLimit-Policy")!
    /// `RateLimit`.
    static let rateLimit = HTTPField.Name("RateLimit")!
}
