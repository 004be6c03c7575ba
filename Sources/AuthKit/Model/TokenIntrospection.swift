/// What introspection (RFC 7662) says about a token: whether it is active now and, if so, what it is.
///
/// An inactive answer carries nothing else (RFC 7662 §2.2: no more information about an inactive token).
public struct TokenIntrospection: Hashable, Sendable {
    /// Whether the token would be accepted now: an access token by ``AuthKitVerifier/authenticate(token:)`` (for
    /// any audience of the issuer), a refresh token by a refresh.
    public let isActive: Bool
    /// The kind of token, when active.
    public let tokenType: TokenTypeHint?
    /// The user (`sub`).
    public let userID: String?
    /// The session (`sid`).
    public let sessionID: String?
    /// The issuer (`iss`) of an access token.
    public let issuer: String?
    /// The audiences (`aud`) of an access token.
    public let audience: [String]
    /// The access token's id (`jti`).
    public let tokenID: String?
    /// When an access token was issued (`iat`).
    public let issuedAt: UnixTime?
    /// When the token stops being active (an access token's `exp`; a refresh token's session expiry).
    public let expiresAt: UnixTime?
    /// The application's claims: an access token's own claims, or those kept with a refresh token's session.
    public let claims: JSONObject

    /// The answer for a token that is not active.
    public static let inactive = TokenIntrospection(isActive: false, tokenType: nil, userID: nil, sessionID: nil)

    init(
        isActive: Bool,
        tokenType: TokenTypeHint?,
        userID: String?,
        sessionID: String?,
        issuer: String? = nil,
        audience: [String] = [],
        tokenID: String? = nil,
        issuedAt: UnixTime? = nil,
        expiresAt: UnixTime? = nil,
        claims: JSONObject = JSONObject()
    ) {
        self.isActive = isActive
        self.tokenType = tokenType
        self.userID = userID
        self.sessionID = sessionID
        self.issuer = issuer
        self.audience = audience
        self.tokenID = tokenID
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
        self.claims = claims
    }

    /// The RFC 7662 §2.2 response member set: `active`, and for an active token `token_type` (`Bearer` for an
    /// access token, `refresh_token` for a refresh token), `sub`, `sid`, `iss`, `aud`, `jti`, `iat`, `exp`, then the
    /// application's claims (never overriding those).
    public var jsonObject: JSONObject {
        var object = JSONObject()
        object["active"] = .bool(isActive)
        guard isActive else { return object }
        if let tokenType { object["token_type"] = .string(tokenType == .accessToken ? "Bearer" : tokenType.rawValue) }
        if let userID { object["sub"] = .string(userID) }
        if let sessionID { object["sid"] = .string(sessionID) }
        if let issuer { object["iss"] = .string(issuer) }
        if !audience.isEmpty {
            object["aud"] = audience.count == 1 ? .string(audience[0]) : .array(audience.map(JSONValue.string))
        }
        if let tokenID { object["jti"] = .string(tokenID) }
        if let issuedAt { object["iat"] = .number(Double(issuedAt.seconds)) }
        if let expiresAt { object["exp"] = .number(Double(expiresAt.seconds)) }
        for member in claims where object[member.name] == nil {
            object[member.name] = member.value
        }
        return object
    }
}
