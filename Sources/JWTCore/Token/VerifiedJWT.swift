public import AuthKitClock

/// A token whose signature, structure and claims have all been checked.
public struct VerifiedJWT: Sendable {
    /// Where the payload's bytes are: a token verified from a `String` keeps the string and the payload segment's
    /// place in it, so verifying allocates no copy of the payload the application may never ask for; a token
    /// verified from borrowed bytes keeps the decoded payload.
    enum PayloadSource: Sendable {
        case segment(token: String, range: Range<Int>)
        case decoded([UInt8])
    }

    /// The protected header.
    public let header: JWTHeader
    /// The claims, registered and custom.
    public let claims: JWTClaims
    /// The instant, on the verifier's clock, at which `exp`, `nbf` and `iat` were checked: code that goes on to
    /// judge the token at "now" can use this reading rather than read the clock again.
    public let checkedAt: UnixTime
    let payloadSource: PayloadSource
    /// The nesting limit the payload was verified under.
    let maxNestingDepth: Int

    /// The payload's JSON bytes exactly as signed, for decoding into an application's own `Decodable` type.
    ///
    /// Decoded from the token on each access (verification reads the claims from a temporary copy); keep the
    /// result if you read it more than once.
    public var payload: [UInt8] {
        switch payloadSource {
        case .decoded(let bytes):
            return bytes
        case .segment(let token, let range):
            // The same segment decoded during verification, so this cannot fail.
            var text = token
            return text.withUTF8 {
                Base64URL.decode(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer($0)[range]))
            }
                ?? []
        }
    }

    /// The payload as a parsed JSON object, in the token's member order.
    ///
    /// Verification reads the claims without building this object, so it is parsed from ``payload`` on each
    /// access; keep the result if you read it more than once.
    public var payloadObject: JSONObject {
        // The same bytes passed the same parser during verification, so this cannot fail.
        (try? JSONParser.parseObject(payload, maxDepth: maxNestingDepth, what: "payload")) ?? JSONObject()
    }
}
