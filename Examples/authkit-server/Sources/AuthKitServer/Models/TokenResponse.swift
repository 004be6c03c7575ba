public import AuthKit
public import Hummingbird

/// The answer to a login or a refresh, in the shape of an OAuth 2.0 token response (RFC 6749 §5.1).
public struct TokenResponse: ResponseEncodable, Sendable {
    /// The JWT to send as `Authorization: Bearer …`.
    public let accessToken: String
    /// The opaque refresh token for `POST /refresh`.
    public let refreshToken: String
    /// Always `Bearer`.
    public let tokenType: String
    /// Seconds until the access token expires.
    public let expiresIn: Int64

    /// The response for `pair`.
    public init(_ pair: TokenPair) {
        accessToken = pair.accessToken
        refreshToken = pair.refreshToken
        tokenType = pair.tokenType
        expiresIn = pair.expiresIn.components.seconds
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case refreshToken = "refresh_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
    }
}
