/// What a client sent to `POST /login`, handed to the application's credential check; the password is never
/// printed.
public struct LoginCredentials: Sendable, CustomStringConvertible {
    /// The login name.
    public let username: String
    /// The password, to check against the stored hash and then forget.
    public let password: String
    /// A name for the device, shown in the sessions list (empty when not given).
    public let device: String

    /// Creates credentials.
    public init(username: String, password: String, device: String = "") {
        self.username = username
        self.password = password
        self.device = device
    }

    /// The text shown when the value is printed or logged: the username, never the password.
    public var description: String { "LoginCredentials(username: \(username), password: redacted)" }
}

/// Who the application's credential check says logged in: the user id (the tokens' `sub`) and the claims to put
/// into every access token of the login (kept with the session, so refreshes carry them too).
public struct LoginIdentity: Sendable {
    /// The user id.
    public let userID: String
    /// The application's claims (registered names and `sid` are refused by the login).
    public let claims: JSONObject

    /// Creates an identity.
    public init(userID: String, claims: JSONObject = JSONObject()) {
        self.userID = userID
        self.claims = claims
    }
}
