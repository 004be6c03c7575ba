extension AuthKitVerifier {
    /// Charges one HTTP request to `"<policy name>:<counted>"` under `policy`, as every AuthKit rate-limit middleware
    /// and endpoint does: returns the `RateLimit-Policy` and `RateLimit` fields to put on the response, or throws
    /// the 429 ``AuthKitHTTPError/rateLimited(_:)`` (with `Retry-After` and the same fields) when refused.
    public func chargeRequest(
        _ policy: RateLimitPolicy,
        counting counted: String
    ) async throws -> [(name: String, value: String)] {
        let decision = try await rateLimit("\(policy.name):\(counted)", policy: policy)
        guard decision.isAllowed else { throw AuthKitHTTPError.rateLimited(decision) }
        return decision.headers(.draft)
    }
}
