/// A token whose signature, structure and claims have all been checked.
public struct VerifiedJWT: Sendable {
    /// The protected header.
    public let header: JWTHeader
    /// The claims, registered and custom.
    public let claims: JWTClaims
    /// The payload's JSON bytes exactly as signed, for decoding into an application's own `Decodable` type.
    public let payload: [UInt8]
    /// The payload as a parsed JSON object, in the token's member order.
    public let payloadObject: JSONObject
}
