/// Which kind of token a client says it presents to revocation (RFC 7009 §2.1) or introspection (RFC 7662 §2.1):
/// the registered `token_type_hint` values.
///
/// A hint only sets the order in which AuthKit tries the two kinds: a wrong one costs nothing, as both RFCs ask
/// ("extend its search across all of its supported token types").
public enum TokenTypeHint: String, Hashable, Sendable, CaseIterable {
    /// `access_token`: an access token (a JWT).
    case accessToken = "access_token"
    /// `refresh_token`: a refresh token (`akr1.…`).
    case refreshToken = "refresh_token"

    /// The kinds to try for `hint`, the hinted one first (access tokens first without a hint).
    static func order(_ hint: TokenTypeHint?) -> [TokenTypeHint] {
        hint == .refreshToken ? [.refreshToken, .accessToken] : [.accessToken, .refreshToken]
    }
}
