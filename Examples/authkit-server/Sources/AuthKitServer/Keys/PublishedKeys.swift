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
            let published = try keys.filter { !$0.algorithm.isSymmetric }.map { key throws(JWTError) in
                JSONValue.object(try key.jwk(includePrivate: false))
            }
            var document = JSONObject()
            document["keys"] = .array(published)
            json = try JSONValue.object(document).jsonText()
        } catch {
            throw AuthServerError(.keySetupFailed, "could not publish the signing keys: \(error)")
        }
    }
}
