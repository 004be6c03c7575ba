import Foundation

/// Signs tokens with one key, writing deterministic output: a fixed header, claims in a fixed order and
/// NumericDates in whole seconds, so the same claims always give the same token.
public struct JWTSigner: Sendable {
    /// The key tokens are signed with.
    public let key: JWTKey
    /// The encoded header segment followed by a dot, computed once.
    private let headerPrefix: [UInt8]

    /// Creates a signer; `type` becomes the header's `typ` (default `JWT`; `nil` omits it).
    public init(key: JWTKey, type: String? = "JWT") throws(JWTError) {
        guard key.canSign else {
            throw JWTError(.invalidKey, "a public key can verify but not sign")
        }
        var header = JSONObject()
        header["alg"] = .string(key.algorithm.name)
        if let kid = key.kid { header["kid"] = .string(kid) }
        if let type { header["typ"] = .string(type) }
        var headerJSON: [UInt8] = []
        try JSONWriter.write(header, to: &headerJSON)
        var prefix: [UInt8] = []
        Base64URL.append(headerJSON, to: &prefix)
        prefix.append(UInt8(ascii: "."))
        self.key = key
        self.headerPrefix = prefix
    }

    /// Signs a claim set.
    public func sign(_ claims: JWTClaims) throws(JWTError) -> String {
        var payload: [UInt8] = []
        payload.reserveCapacity(256)
        try claims.writePayload(to: &payload)
        return try sign(payload: payload)
    }

    /// Signs an application's own `Encodable` claims, encoded with sorted keys and dates as seconds.
    public func sign(_ claims: some Encodable) throws(JWTError) -> String {
        let encoded: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .custom { date, encoder in
                var container = encoder.singleValueContainer()
                try container.encode(Int64(date.timeIntervalSince1970.rounded(.down)))
            }
            encoded = try encoder.encode(claims)
        } catch {
            throw JWTError(.invalidClaim, "the claims could not be encoded: \(error)")
        }
        let bytes = [UInt8](encoded)
        _ = try JSONParser.parseObject(bytes, maxDepth: 64, what: "payload")
        return try sign(payload: bytes)
    }

    /// Signs a compact JWS over arbitrary payload bytes; JWT payloads are the JSON the other methods write.
    public func sign(payload: [UInt8]) throws(JWTError) -> String {
        let signatureLength = Base64URL.encodedLength(of: 64)
        var token = headerPrefix
        token.reserveCapacity(headerPrefix.count + Base64URL.encodedLength(of: payload.count) + 1 + signatureLength)
        Base64URL.append(payload, to: &token)
        let signature = try token.withBytes { (input) throws(JWTError) in try key.backing.sign(input) }
        token.append(UInt8(ascii: "."))
        Base64URL.append(signature, to: &token)
        return String(decoding: token, as: UTF8.self)
    }
}
