import AuthKit
import AuthKitTesting
import InMemoryTracing
import Testing
import Tracing

/// AuthKit's spans: one per operation, and never a token, a secret or a password in them.
@Suite("Tracing")
struct TracingTests {
    @Test func operationsAreSpansWithoutSecrets() async throws {
        let tracer = InMemoryTracer()
        let secret = [UInt8](repeating: 0x61, count: 32)  // "aaaa…": easy to spot if it leaked
        let auth = try await withTracer(tracer) {
            try await AuthKit(
                configuration: AuthKitConfiguration(
                    issuer: "https://api.example.com",
                    audience: "api",
                    signingKeys: [try JWTKey.hs256(secret, kid: "k1")]
                )
            )
        }
        let pair = try await auth.login(userID: "alice", claims: ["tenant": "acme"])
        let principal = try await auth.authenticate(token: pair.accessToken)
        let next = try await auth.refresh(pair.refreshToken)
        await #expect(throws: AuthKitError.self) { _ = try await auth.refresh(pair.refreshToken) }  // reuse
        await #expect(throws: AuthKitError.self) { _ = try await auth.authenticate(token: next.accessToken) }
        _ = try await auth.rateLimit("login:alice", policy: .perMinute(5))
        _ = try await auth.permissions(for: "alice") { _ in ["orders:read"] }
        _ = try await auth.introspect(pair.accessToken)
        try await auth.revoke(token: next.refreshToken)

        let spans = tracer.finishedSpans
        let names = spans.map(\.operationName)
        #expect(
            names == [
                "authkit.login", "authkit.authenticate", "authkit.refresh", "authkit.refresh", "authkit.authenticate",
                "authkit.rate_limit", "authkit.permissions", "authkit.introspect", "authkit.revoke",
            ]
        )
        #expect(spans[0].attributes.get("enduser.id") == .string("alice"))
        #expect(spans[1].attributes.get("authkit.session_id") == .string(principal.sessionID ?? ""))
        #expect(spans[3].attributes.get("authkit.refresh.outcome") == .string("reuse") && spans[3].errors.count == 1)
        #expect(spans[4].errors.count == 1)
        #expect(spans[5].attributes.get("authkit.rate_limit.allowed") == .bool(true))
        let secretText = String(decoding: secret, as: UTF8.self)
        let forbidden = [pair.accessToken, pair.refreshToken, next.accessToken, next.refreshToken, secretText]
        for span in spans {
            let text = "\(span.attributes) \(span.errors.map { "\($0.error)" })"
            for value in forbidden {
                #expect(!text.contains(value), "span \(span.operationName) carries a token or the secret")
            }
            // Not even a token's signature or payload part.
            for part in pair.accessToken.split(separator: ".") {
                #expect(!text.contains(part))
            }
        }
    }

    @Test func withoutATracerThereAreNoSpans() async throws {
        let tracer = InMemoryTracer()
        let auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [try JWTKey.hs256([UInt8](repeating: 1, count: 32), kid: "k1")]
            )
        )
        // A tracer bound after the instance was made is not used: the tracer is read once, at creation.
        try await withTracer(tracer) {
            let pair = try await auth.login(userID: "alice")
            _ = try await auth.authenticate(token: pair.accessToken)
        }
        #expect(tracer.finishedSpans.isEmpty)
    }
}
