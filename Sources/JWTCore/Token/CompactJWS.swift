/// A compact JWS split and decoded under the strict rules, before any cryptography.
struct CompactJWS {
    let header: JWTHeader
    let payload: [UInt8]
    let signature: [UInt8]
    /// Byte count of `header.payload`, the signing input at the start of the token.
    let signingInputLength: Int

    /// Splits `token` into exactly three canonical base64url segments and parses the header.
    /// When `payloadIsJSON`, the payload must also be a JSON object, which is returned parsed.
    static func parse(
        _ token: UnsafeRawBufferPointer,
        policy: JWTValidationPolicy,
        payloadIsJSON: Bool
    ) throws(JWTError) -> (jws: CompactJWS, payloadObject: JSONObject?) {
        let segments = try split(token, maxTokenSize: policy.maxTokenSize)
        let headerObject = try JSONParser.parseObject(
            segments.header,
            maxDepth: policy.maxNestingDepth,
            what: "header"
        )
        let header = try JWTHeader(members: headerObject, policy: policy)
        let payloadObject: JSONObject? =
            payloadIsJSON
            ? try JSONParser.parseObject(segments.payload, maxDepth: policy.maxNestingDepth, what: "payload") : nil
        let jws = CompactJWS(
            header: header,
            payload: segments.payload,
            signature: segments.signature,
            signingInputLength: segments.signingInputLength
        )
        return (jws, payloadObject)
    }

    /// The three decoded segments of a compact JWS and the length of its signing input.
    struct Segments {
        let header: [UInt8]
        let payload: [UInt8]
        let signature: [UInt8]
        let signingInputLength: Int
    }

    /// Checks the size cap, then splits into exactly three canonical base64url segments.
    static func split(_ token: UnsafeRawBufferPointer, maxTokenSize: Int) throws(JWTError) -> Segments {
        guard token.count <= maxTokenSize else {
            throw JWTError(.tokenTooLarge, "the token is \(token.count) bytes; the limit is \(maxTokenSize)")
        }
        var first = -1
        var second = -1
        for (offset, byte) in token.enumerated() where byte == UInt8(ascii: ".") {
            if first < 0 {
                first = offset
            } else if second < 0 {
                second = offset
            } else {
                throw JWTError(.malformed, "the token has more than three segments")
            }
        }
        guard first >= 0, second >= 0 else {
            throw JWTError(.malformed, "the token does not have three segments")
        }
        guard first > 0 else { throw JWTError(.malformed, "the header segment is empty") }
        guard let headerBytes = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[0..<first])) else {
            throw JWTError(.malformed, "the header segment is not canonical base64url")
        }
        guard let payload = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[(first + 1)..<second])) else {
            throw JWTError(.malformed, "the payload segment is not canonical base64url")
        }
        guard let signature = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[(second + 1)...])) else {
            throw JWTError(.malformed, "the signature segment is not canonical base64url")
        }
        return Segments(header: headerBytes, payload: payload, signature: signature, signingInputLength: second)
    }
}
