import AuthKitClock

extension RateLimitDecision {
    /// The decision as one line of JSON, for CLIs and logs: durations in milliseconds (rounded up), `null` for
    /// no retry-after, and every policy's result under `"policies"`.
    ///
    /// ```json
    /// {"allowed":false,"limit":10,"remaining":0,"resetAfterMs":400,"retryAfterMs":400,"source":"store",
    ///  "policy":"burst","policies":[{"policy":"burst","algorithm":"fixed-window","allowed":false,...}]}
    /// ```
    public var jsonLine: String {
        let policies = results.map { result in
            "{\"policy\":\"\(result.policy.name)\",\"algorithm\":\"\(result.policy.algorithm.name)\","
                + "\"allowed\":\(result.isAllowed),\"limit\":\(result.limit),\"remaining\":\(result.remaining),"
                + "\"resetAfterMs\":\(Self.milliseconds(result.resetAfter)),"
                + "\"retryAfterMs\":\(result.retryAfter.map { "\(Self.milliseconds($0))" } ?? "null")}"
        }
        return "{\"allowed\":\(isAllowed),\"limit\":\(limit),\"remaining\":\(remaining),"
            + "\"resetAfterMs\":\(Self.milliseconds(resetAfter)),"
            + "\"retryAfterMs\":\(retryAfter.map { "\(Self.milliseconds($0))" } ?? "null"),"
            + "\"source\":\"\(source.name)\",\"policy\":\"\(policy.name)\","
            + "\"policies\":[\(policies.joined(separator: ","))]}"
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.ttl(in: .milliseconds)
    }
}
