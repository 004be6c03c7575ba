import AuthKitClock

extension RateLimitDecision {
    /// The HTTP response header fields that tell a client about this decision, as (name, value) pairs.
    ///
    /// Durations are whole seconds rounded up, so a client that waits the advertised time is not refused again
    /// for having come back a fraction of a second early.
    public func headers(_ options: RateLimitHeaderOptions = .standard) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        if options.contains(.draft) {
            let policies = results.map { result in
                "\"\(result.policy.name)\";q=\(result.limit);w=\(Self.wholeSeconds(result.policy.window))"
            }
            let states = results.map { result in
                "\"\(result.policy.name)\";r=\(result.remaining);t=\(Self.wholeSeconds(result.resetAfter))"
            }
            fields.append((name: "RateLimit-Policy", value: policies.joined(separator: ", ")))
            fields.append((name: "RateLimit", value: states.joined(separator: ", ")))
        }
        if options.contains(.legacy) {
            fields.append((name: "X-RateLimit-Limit", value: "\(limit)"))
            fields.append((name: "X-RateLimit-Remaining", value: "\(remaining)"))
            fields.append((name: "X-RateLimit-Reset", value: "\(Self.wholeSeconds(resetAfter))"))
        }
        if options.contains(.retryAfter), !isAllowed, let retryAfter {
            fields.append((name: "Retry-After", value: "\(max(1, Self.wholeSeconds(retryAfter)))"))
        }
        return fields
    }

    /// `duration` in whole seconds, rounded up; never negative.
    static func wholeSeconds(_ duration: Duration) -> Int64 {
        duration.ttl(in: .seconds)
    }
}
