/// Reading a token without checking it, for debugging tools: the result must never be trusted.
///
/// The same strict structure rules apply (size cap, three canonical segments, JSON objects without duplicate
/// members), but no key, signature, header rule or claim is checked.
public enum UnverifiedJWT {
    /// The header and payload objects of `token`, UNVERIFIED.
    public static func decode(
        _ token: String,
        maxTokenSize: Int = 8192,
        maxNestingDepth: Int = 16
    )
        throws(JWTError) -> (header: JSONObject, payload: JSONObject)
    {
        let bytes = Array(token.utf8)
        let segments = try bytes.withBytes { (buffer) throws(JWTError) in
            try CompactJWS.split(buffer, maxTokenSize: maxTokenSize)
        }
        let header = try JSONParser.parseObject(segments.header, maxDepth: maxNestingDepth, what: "header")
        let payload = try JSONParser.parseObject(segments.payload, maxDepth: maxNestingDepth, what: "payload")
        return (header, payload)
    }
}
