import AuthKitPlatform

/// The three segments of a compact JWS, located and decoded under the strict rules.
///
/// Work is ordered cheapest-first so hostile input is refused early: the size cap, then the two dots (found
/// with `memchr`), then the header, then the signature's length against the selected key and its decoding; the
/// payload is decoded only after the signature over it has verified. Nothing is decoded twice.
struct CompactJWS {
    /// Where the dots are.
    struct Layout {
        let count: Int
        let firstDot: Int
        let secondDot: Int

        var headerRange: Range<Int> { 0..<firstDot }
        var payloadRange: Range<Int> { (firstDot + 1)..<secondDot }
        var signatureRange: Range<Int> { (secondDot + 1)..<count }
    }

    /// The longest header segment accepted (encoded characters).
    static let maxHeaderSegmentLength = 2048

    /// Checks the size cap and finds exactly two dots.
    static func layout(_ token: UnsafeRawBufferPointer, maxTokenSize: Int) throws(JWTError) -> Layout {
        guard token.count <= maxTokenSize else {
            throw JWTError(.tokenTooLarge, "the token is \(token.count) bytes; the limit is \(maxTokenSize)")
        }
        guard token.baseAddress != nil else {
            throw JWTError(.malformed, "the token is empty")
        }
        let dot = UInt8(ascii: ".")
        guard let firstDot = Platform.firstOffset(of: dot, in: token) else {
            throw JWTError(.malformed, "the token does not have three segments")
        }
        let afterFirst = firstDot + 1
        guard let second = Platform.firstOffset(of: dot, in: UnsafeRawBufferPointer(rebasing: token[afterFirst...]))
        else {
            throw JWTError(.malformed, "the token does not have three segments")
        }
        let secondDot = afterFirst + second
        let afterSecond = secondDot + 1
        if Platform.firstOffset(of: dot, in: UnsafeRawBufferPointer(rebasing: token[afterSecond...])) != nil {
            throw JWTError(.malformed, "the token has more than three segments")
        }
        guard firstDot > 0 else { throw JWTError(.malformed, "the header segment is empty") }
        return Layout(count: token.count, firstDot: firstDot, secondDot: secondDot)
    }

    /// Decodes one segment as canonical base64url.
    static func decode(_ token: UnsafeRawBufferPointer, _ range: Range<Int>, what: String) throws(JWTError) -> [UInt8] {
        guard let bytes = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[range])) else {
            throw JWTError(.malformed, "the \(what) segment is not canonical base64url")
        }
        return bytes
    }

    /// Decodes the payload segment into a temporary buffer (on the stack when it is small) and calls `body` with
    /// it: for a caller that keeps no copy of the payload.
    static func withPayload<Result>(
        _ token: UnsafeRawBufferPointer,
        _ layout: Layout,
        _ body: (UnsafeRawBufferPointer) throws(JWTError) -> Result
    ) throws(JWTError) -> Result {
        let range = layout.payloadRange
        let segment = UnsafeRawBufferPointer(rebasing: token[range])
        return try withUnsafeTemporaryAllocation(byteCount: range.count / 4 * 3 + 2, alignment: 1) {
            (buffer) throws(JWTError) -> Result in
            guard let length = Base64URL.decode(segment, into: buffer) else {
                throw JWTError(.malformed, "the payload segment is not canonical base64url")
            }
            return try body(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        }
    }

    /// Decodes and parses the header segment. The first decoded bytes must open a JSON object, which refuses
    /// long runs of valid-looking base64url before the whole segment is decoded.
    static func headerObject(
        _ token: UnsafeRawBufferPointer,
        _ layout: Layout,
        maxNestingDepth: Int
    ) throws(JWTError) -> JSONObject {
        let range = layout.headerRange
        // Keys are never taken from a header (jku, jwk, x5u, x5c are refused), so a real header is a few
        // members: refusing a long one before decoding it keeps junk headers cheap.
        guard range.count <= maxHeaderSegmentLength else {
            throw JWTError(
                .tokenTooLarge,
                "the header segment is \(range.count) bytes; the limit is \(maxHeaderSegmentLength)"
            )
        }
        if range.count >= 4, let prefix = Base64URL.decode(UnsafeRawBufferPointer(rebasing: token[0..<4])) {
            guard let opening = prefix.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else {
                throw JWTError(.malformed, "header: the header is not a JSON object")
            }
            guard opening == UInt8(ascii: "{") else {
                throw JWTError(.malformed, "header: the header is not a JSON object")
            }
        }
        let bytes = try decode(token, range, what: "header")
        return try JSONParser.parseObject(bytes, maxDepth: maxNestingDepth, what: "header")
    }

    /// Decodes the signature segment into a temporary buffer and calls `body` with it, refusing without decoding a
    /// segment longer than the key's signatures can be. The signature lives only as long as the call, so no array
    /// is allocated for it.
    static func withSignature<Result>(
        _ token: UnsafeRawBufferPointer,
        _ layout: Layout,
        expectedLength: Int?,
        _ body: (UnsafeRawBufferPointer) throws(JWTError) -> Result
    ) throws(JWTError) -> Result {
        let range = layout.signatureRange
        if let expectedLength, range.count > Base64URL.encodedLength(of: expectedLength) + 3 {
            throw JWTError(.invalidSignature, "the signature is longer than any signature of this key")
        }
        let segment = UnsafeRawBufferPointer(rebasing: token[range])
        let outcome = withUnsafeTemporaryAllocation(byteCount: range.count / 4 * 3 + 3, alignment: 1) {
            buffer -> Swift.Result<Result, JWTError> in
            guard let length = Base64URL.decode(segment, into: buffer) else {
                return .failure(JWTError(.malformed, "the signature segment is not canonical base64url"))
            }
            do throws(JWTError) {
                return .success(try body(UnsafeRawBufferPointer(rebasing: buffer[0..<length])))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}
