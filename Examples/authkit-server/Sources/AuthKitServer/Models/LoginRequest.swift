/// The body of `POST /login`.
public struct LoginRequest: Decodable, Sendable {
    /// The login name.
    public let username: String
    /// The password, checked against the stored hash and then forgotten.
    public let password: String
    /// A name for the device, shown in `GET /sessions` (optional).
    public let device: String?
}
