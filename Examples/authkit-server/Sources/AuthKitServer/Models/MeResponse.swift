public import Hummingbird

/// The answer to `GET /me`: who the token speaks for and what they may do.
public struct MeResponse: ResponseEncodable, Sendable {
    /// The user id.
    public let sub: String
    /// The session (device login) of the token, when it has one.
    public let sid: String?
    /// The user's permission grants, sorted.
    public let permissions: [String]
}
