/// What a JWKS fetch returns: the document text and how long it may be cached.
public struct JWKSDocument: Sendable {
    /// The JWKS (or single JWK) JSON text.
    public var text: String
    /// The cache lifetime the source announced (such as HTTP `Cache-Control: max-age`), if any.
    public var maxAge: Duration?

    /// Creates a fetched document.
    public init(text: String, maxAge: Duration? = nil) {
        self.text = text
        self.maxAge = maxAge
    }
}
