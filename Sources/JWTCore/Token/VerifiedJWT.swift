/// A token whose signature, structure and claims have all been checked.
public struct VerifiedJWT: Sendable {
    /// The protected header.
    public let header: JWTHeader
    /// The claims, registered and custom.
    public let claims: JWTClaims
    /// The payload's JSON bytes exactly as signed, for decoding into an application's own `Decodable` type.
    public let payload: [UInt8]
    /// The nesting limit the payload was verified under.
    let maxNestingDepth: Int

    /// The payload as a parsed JSON object, in the token's member order.
    ///
    /// Verification reads the claims without building this object, so it is parsed from ``payload`` on each
    /// access; keep the result if you read it more than once.
    public var payloadObject: JSONObject {
        // The same bytes passed the same parser during verification, so this cannot fail.
        (try? JSONParser.parseObject(payload, maxDepth: maxNestingDepth, what: "payload")) ?? JSONObject()
    }
}
