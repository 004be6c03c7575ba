/// The claim values both libraries sign and check, so the comparison is the same work: `iss`, `sub`, `aud`,
/// `exp`, `iat`, `jti` and one custom claim.
public enum BenchClaims {
    /// The `iss` every token carries and every verifier requires.
    public static let issuer = "https://api.example.com"
    /// The `aud` every token carries and every verifier requires.
    public static let audience = "api"
    /// The `sub` of every token.
    public static let subject = "user-4242"
    /// The `jti` of every token.
    public static let tokenID = "Xq2v9fJ0tQm3cD7kLw8RzA"
    /// The name of the one custom claim.
    public static let customName = "role"
    /// The value of the one custom claim.
    public static let customValue = "admin"
    /// How long a token lives: long enough that a benchmark never sees one expire.
    public static let lifetimeSeconds: Int64 = 3600
    /// The HMAC secret both libraries share for the HS algorithms (32 bytes, as RFC 7518 asks for HS256).
    public static let hmacSecret: [UInt8] = Array("authkit-bench-hmac-secret-32-by!".utf8)
}
