/// What every concrete key (HMAC, RSA, ECDSA, EdDSA) provides to ``JWTKey``.
///
/// Implementations hold ready-to-use crypto objects, so signing and verifying never re-parse key material.
protocol JWTKeyBacking: AnyObject, Sendable {
    /// The one algorithm this key may be used with.
    var algorithm: JWTAlgorithm { get }
    /// The exact byte length of this key's signatures, when it is fixed (HMAC, ECDSA, EdDSA, RSA modulus).
    var signatureLength: Int? { get }
    /// Whether the key holds private (or secret) material and can therefore sign.
    var canSign: Bool { get }
    /// Signs `input` (the ASCII bytes of `header.payload`).
    func sign(_ input: UnsafeRawBufferPointer) throws(JWTError) -> [UInt8]
    /// Checks `signature` over `input`; any failure, including an internal one, answers `false`.
    func verify(signature: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer) -> Bool
    /// The key's JWK members (without `kid`, `alg`, `use`), with private members only when asked.
    func jwkMembers(includePrivate: Bool) throws(JWTError) -> JSONObject
    /// The members RFC 7638 hashes for the thumbprint, in lexicographic order.
    func thumbprintMembers() throws(JWTError) -> JSONObject
    /// The OpenSSL key of an asymmetric key; `nil` for HMAC secrets.
    var evpKey: EVPKey? { get }
}

extension JWTKeyBacking {
    var evpKey: EVPKey? { nil }
}
