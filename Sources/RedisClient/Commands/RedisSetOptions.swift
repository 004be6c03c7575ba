/// How long a value written by ``RedisClient/set(_:value:expiration:condition:)`` lives.
package enum RedisExpiration: Sendable, Hashable {
    /// `EX seconds`.
    case seconds(Int64)
    /// `PX milliseconds`.
    case milliseconds(Int64)
    /// `KEEPTTL`: keep the key's current time to live.
    case keepTTL
}

/// When ``RedisClient/set(_:value:expiration:condition:)`` writes.
package enum RedisSetCondition: Sendable, Hashable {
    /// `NX`: only when the key does not exist.
    case ifNotExists
    /// `XX`: only when the key already exists.
    case ifExists
}
