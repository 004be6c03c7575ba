public import AuthKit

/// The JSON Web Key Set served at `/.well-known/jwks.json`: the public halves of the signing keys.
///
/// An HMAC secret signs and verifies alike, so it is never published: a server signing with HS256 serves
/// `{"keys":[]}`, and only it can verify its tokens.
public struct PublishedKeys: Sendable {
    /// The JWKS document as compact JSON text.
    public let json: String

    /// Builds the document from the server's signing keys.
    public init(_ keys: [JWTKey]) throws(AuthServerError) {
        do {
            json = try JWTKeySet(keys).publicJWKSString()
        } catch {
            throw AuthServerError(.keySetupFailed, "could not publish the signing keys: \(error)")
        }
    }
}
