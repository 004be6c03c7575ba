/// The body of `POST /refresh`.
public struct RefreshRequest: Decodable, Sendable {
    /// The refresh token of the last login or refresh; single use.
    public let refreshToken: String

    enum CodingKeys: String, CodingKey {
        case refreshToken = "refresh_token"
    }
}
