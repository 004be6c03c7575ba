/// What ``AuthKit/revoke(token:hint:)`` revoked.
public enum RevokedToken: Hashable, Sendable {
    /// An access token, denylisted by its `jti` until it expires (its session lives on).
    case accessToken(userID: String, tokenID: String)
    /// A refresh token: its whole session and refresh-token family ended, and with them every access token of that
    /// login (RFC 7009 §2.1: "SHOULD also invalidate all access tokens based on the same authorization grant").
    case session(userID: String, sessionID: String)
}
