/// Decodes a token's header and payload without checking it, for debugging tools: the result must never be trusted.
///
/// The same strict structure rules apply (size cap, three canonical segments, JSON objects without duplicate
/// members), but no key, signature, header rule or claim is checked.
public enum UnverifiedJWTDecoder {
    /// The header and payload objects of `token`, UNVERIFIED.
    public static func decode(
        _ token: String,
        maxTokenSize: Int = 8192,
        maxNestingDepth: Int = 16
    )
        throws(JWTError) -> (header: JSONObject, payload: JSONObject)
    {
        let bytes = Array(token.utf8)
        return try bytes.withBytes { (buffer) throws(JWTError) in
            let layout = try CompactJWS.layout(buffer, maxTokenSize: maxTokenSize)
            let header = try CompactJWS.headerObject(buffer, layout, maxNestingDepth: maxNestingDepth)
            _ = try CompactJWS.decode(buffer, layout.signatureRange, what: "signature")
            let payload = try CompactJWS.decode(buffer, layout.payloadRange, what: "payload")
            return (header, try JSONParser.parseObject(payload, maxDepth: maxNestingDepth, what: "payload"))
        }
    }
}
