import RateLimiter
import Testing

@Suite("RateLimitDecision")
struct RateLimitDecisionTests {
    private let burst = RateLimitPolicy(limit: 10, window: .seconds(1), name: "burst")
    private let daily = RateLimitPolicy(limit: 1000, window: .seconds(86_400), name: "daily")

    private func decision(allowed: Bool) throws -> RateLimitDecision {
        try RateLimitDecision(
            results: [
                RateLimitPolicyResult(
                    policy: burst,
                    isAllowed: allowed,
                    limit: 10,
                    remaining: allowed ? 4 : 0,
                    resetAfter: .milliseconds(400),
                    retryAfter: allowed ? nil : .milliseconds(1200)
                ),
                RateLimitPolicyResult(
                    policy: daily,
                    isAllowed: true,
                    limit: 1000,
                    remaining: 990,
                    resetAfter: .seconds(3600),
                    retryAfter: nil
                ),
            ],
            source: .store
        )
    }

    @Test("draft RateLimit-Policy and RateLimit fields list every policy")
    func draftHeaders() throws {
        let headers = try decision(allowed: true).headers()
        #expect(headers.map(\.name) == ["RateLimit-Policy", "RateLimit"])
        #expect(headers[0].value == "\"burst\";q=10;w=1, \"daily\";q=1000;w=86400")
        #expect(headers[1].value == "\"burst\";r=4;t=1, \"daily\";r=990;t=3600")
    }

    @Test("a refusal adds Retry-After in whole seconds, rounded up")
    func retryAfter() throws {
        let refused = try decision(allowed: false)
        #expect(!refused.isAllowed)
        #expect(refused.policy.name == "burst")
        let headers = refused.headers()
        #expect(headers.last?.name == "Retry-After")
        #expect(headers.last?.value == "2")
    }

    @Test("legacy X-RateLimit fields report the binding policy")
    func legacy() throws {
        let headers = try decision(allowed: true).headers(.legacy)
        #expect(headers.map(\.name) == ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"])
        #expect(headers.map(\.value) == ["10", "4", "1"])
    }

    @Test("a decision needs at least one result")
    func emptyResults() {
        #expect(throws: RateLimitError.self) {
            try RateLimitDecision(results: [], source: .store)
        }
    }

    @Test("the JSON line carries the decision and every policy")
    func jsonLine() throws {
        let policy = RateLimitPolicy(limit: 10, window: .seconds(1), name: "burst")
        let decision = try RateLimitDecision(
            results: [
                RateLimitPolicyResult(
                    policy: policy,
                    isAllowed: false,
                    limit: 10,
                    remaining: 0,
                    resetAfter: .microseconds(399_001),
                    retryAfter: .milliseconds(400)
                )
            ],
            source: .localFallback
        )
        #expect(
            decision.jsonLine
                == "{\"allowed\":false,\"limit\":10,\"remaining\":0,\"resetAfterMs\":400,\"retryAfterMs\":400,"
                + "\"source\":\"local-fallback\",\"policy\":\"burst\",\"policies\":[{\"policy\":\"burst\","
                + "\"algorithm\":\"fixed-window\",\"allowed\":false,\"limit\":10,\"remaining\":0,"
                + "\"resetAfterMs\":400,\"retryAfterMs\":400}]}"
        )
    }
}
