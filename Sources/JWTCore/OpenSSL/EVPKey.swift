internal import CAuthKitOpenSSL

/// The one owner of an OpenSSL `EVP_PKEY` (RSA, EC or Ed25519), parsed once and used for every signature.
///
/// `@unchecked Sendable`: the key is never modified after `init`, and OpenSSL 3 allows one `EVP_PKEY` to be
/// used by many threads at once as long as each operation has its own `EVP_MD_CTX`, which every method
/// here creates and frees itself. `deinit` runs when no caller can still reach the key.
final class EVPKey: @unchecked Sendable {
    /// The kinds of key AuthKit works with.
    enum Kind: Equatable {
        case rsa
        case ec(ECCurve)
        case ed25519
    }

    /// How a signature is padded: only RSA keys take a padding mode.
    enum Padding {
        case standard
        case pss
    }

    private let pointer: OpaquePointer
    let kind: Kind
    /// Whether the key holds private material (and can therefore sign).
    let isPrivate: Bool

    /// Takes ownership of `pointer`; frees it and throws `invalidKey` for a key type AuthKit does not use.
    private init(taking pointer: OpaquePointer) throws(JWTError) {
        let kind: Kind
        if EVP_PKEY_is_a(pointer, "RSA") == 1 {
            kind = .rsa
        } else if EVP_PKEY_is_a(pointer, "ED25519") == 1 {
            kind = .ed25519
        } else if EVP_PKEY_is_a(pointer, "EC") == 1 {
            guard let name = Self.utf8Parameter(pointer, "group"), let curve = ECCurve(name: name) else {
                EVP_PKEY_free(pointer)
                OpenSSLError.clear()
                throw JWTError(.invalidKey, "the EC key is not on P-256, P-384 or P-521")
            }
            kind = .ec(curve)
        } else {
            EVP_PKEY_free(pointer)
            OpenSSLError.clear()
            throw JWTError(.invalidKey, "the key is not an RSA, EC (P-256/384/521) or Ed25519 key")
        }
        self.pointer = pointer
        self.kind = kind
        switch kind {
        case .rsa: isPrivate = Self.bigNumberParameter(pointer, "d") != nil
        case .ec: isPrivate = Self.bigNumberParameter(pointer, "priv") != nil
        case .ed25519:
            var length = 0
            isPrivate = EVP_PKEY_get_raw_private_key(pointer, nil, &length) == 1 && length == 32
        }
        OpenSSLError.clear()
    }

    deinit {
        EVP_PKEY_free(pointer)
    }

    // MARK: Reading parameters

    /// The key size in bits (`EVP_PKEY_get_bits`).
    var bits: Int { Int(EVP_PKEY_get_bits(pointer)) }

    /// A big-number parameter such as RSA `n`, `e`, `d` or EC `qx`, `qy`, `priv` as minimal big-endian
    /// bytes, left-padded to `size` when given; `nil` when the key has no such parameter.
    func bigNumber(_ name: String, size: Int? = nil) -> [UInt8]? {
        Self.bigNumberParameter(pointer, name, size: size)
    }

    /// An octet-string parameter such as EC `pub` (the encoded public point); `nil` when the key has none.
    func octets(_ name: String) -> [UInt8]? {
        var length = 0
        guard EVP_PKEY_get_octet_string_param(pointer, name, nil, 0, &length) == 1, length > 0 else {
            OpenSSLError.clear()
            return nil
        }
        var output = [UInt8](repeating: 0, count: length)
        let status = output.withUnsafeMutableBufferPointer { buffer in
            EVP_PKEY_get_octet_string_param(pointer, name, buffer.baseAddress, length, &length)
        }
        guard status == 1, length == output.count else {
            OpenSSLError.clear()
            return nil
        }
        return output
    }

    /// The raw Ed25519 public key (`EVP_PKEY_get_raw_public_key`).
    func rawPublicKey() throws(JWTError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length = output.count
        guard EVP_PKEY_get_raw_public_key(pointer, &output, &length) == 1, length == 32 else {
            throw OpenSSLError.take("EVP_PKEY_get_raw_public_key", code: .invalidKey)
        }
        return output
    }

    /// The raw Ed25519 private key (`EVP_PKEY_get_raw_private_key`).
    func rawPrivateKey() throws(JWTError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        var length = output.count
        guard EVP_PKEY_get_raw_private_key(pointer, &output, &length) == 1, length == 32 else {
            throw OpenSSLError.take("EVP_PKEY_get_raw_private_key", code: .invalidKey)
        }
        return output
    }

    private static func bigNumberParameter(_ pointer: OpaquePointer, _ name: String, size: Int? = nil) -> [UInt8]? {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pointer, name, &number) == 1, let number else {
            OpenSSLError.clear()
            return nil
        }
        defer { BN_clear_free(number) }
        let minimal = (Int(BN_num_bits(number)) + 7) / 8
        let length = max(size ?? minimal, minimal, 1)
        var output = [UInt8](repeating: 0, count: length)
        let written = output.withUnsafeMutableBufferPointer { buffer in
            BN_bn2binpad(number, buffer.baseAddress, Int32(length))
        }
        guard written == Int32(length) else {
            OpenSSLError.clear()
            return nil
        }
        return output
    }

    private static func utf8Parameter(_ pointer: OpaquePointer, _ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 64)
        var length = 0
        guard EVP_PKEY_get_utf8_string_param(pointer, name, &buffer, buffer.count, &length) == 1 else {
            OpenSSLError.clear()
            return nil
        }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Signing and verifying

    /// Signs `input` with `EVP_DigestSign` (`digest` is `nil` for Ed25519); ECDSA output is DER.
    func sign(_ input: UnsafeRawBufferPointer, digest: Digest?, padding: Padding) throws(JWTError) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { throw OpenSSLError.take("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        guard EVP_DigestSignInit(context, &keyContext, digest?.evpMD, nil, pointer) == 1 else {
            throw OpenSSLError.take("EVP_DigestSignInit")
        }
        if padding == .pss, let digest {
            guard configurePSS(keyContext, digest: digest) else { throw OpenSSLError.take("RSA-PSS parameters") }
        }
        let base = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
        var length = 0
        guard EVP_DigestSign(context, nil, &length, base, input.count) == 1 else {
            throw OpenSSLError.take("EVP_DigestSign")
        }
        var output = [UInt8](repeating: 0, count: length)
        let status = output.withUnsafeMutableBufferPointer { buffer in
            EVP_DigestSign(context, buffer.baseAddress, &length, base, input.count)
        }
        guard status == 1 else { throw OpenSSLError.take("EVP_DigestSign") }
        output.removeLast(output.count - length)
        return output
    }

    /// Checks `signature` (DER for ECDSA) over `input` with `EVP_DigestVerify`; every failure answers `false`.
    func verify(
        signature: UnsafeRawBufferPointer,
        input: UnsafeRawBufferPointer,
        digest: Digest?,
        padding: Padding
    ) -> Bool {
        guard let context = EVP_MD_CTX_new() else {
            OpenSSLError.clear()
            return false
        }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer?
        var valid = EVP_DigestVerifyInit(context, &keyContext, digest?.evpMD, nil, pointer) == 1
        if valid, padding == .pss, let digest {
            valid = configurePSS(keyContext, digest: digest)
        }
        if valid {
            valid =
                EVP_DigestVerify(
                    context,
                    signature.baseAddress?.assumingMemoryBound(to: UInt8.self),
                    signature.count,
                    input.baseAddress?.assumingMemoryBound(to: UInt8.self),
                    input.count
                ) == 1
        }
        if !valid { OpenSSLError.clear() }
        return valid
    }

    /// RFC 7518 §3.5: MGF1 with the signing hash and a salt exactly as long as the hash, on both sides.
    private func configurePSS(_ keyContext: OpaquePointer?, digest: Digest) -> Bool {
        EVP_PKEY_CTX_set_rsa_padding(keyContext, RSA_PKCS1_PSS_PADDING) == 1
            && EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RSA_PSS_SALTLEN_DIGEST) == 1
            && EVP_PKEY_CTX_set_rsa_mgf1_md(keyContext, digest.evpMD) == 1
    }

    // MARK: Creating keys

    /// A key decoded from PEM or DER: SubjectPublicKeyInfo, PKCS#8, PKCS#1 RSA or SEC 1 EC (`OSSL_DECODER`).
    /// Encrypted private keys are refused, since no passphrase is ever supplied.
    static func decode(_ bytes: [UInt8], pem: Bool) throws(JWTError) -> EVPKey {
        var key: OpaquePointer?
        guard
            let decoder = OSSL_DECODER_CTX_new_for_pkey(&key, pem ? "PEM" : "DER", nil, nil, 0, nil, nil)
        else {
            throw OpenSSLError.take("OSSL_DECODER_CTX_new_for_pkey", code: .invalidKey)
        }
        defer { OSSL_DECODER_CTX_free(decoder) }
        let status = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            var data = buffer.baseAddress
            var length = buffer.count
            return OSSL_DECODER_from_data(decoder, &data, &length)
        }
        guard status == 1, let key else {
            throw OpenSSLError.take("decoding the \(pem ? "PEM" : "DER") key", code: .invalidKey)
        }
        return try EVPKey(taking: key)
    }

    /// A parameter for ``fromData(type:parameters:includesPrivate:)``.
    enum Parameter {
        case bigNumber(String, [UInt8])
        case utf8(String, String)
        case octets(String, [UInt8])
    }

    /// A key assembled from its components (`EVP_PKEY_fromdata`), as JWKs describe keys.
    static func fromData(type: String, parameters: [Parameter], includesPrivate: Bool) throws(JWTError) -> EVPKey {
        guard let builder = OSSL_PARAM_BLD_new() else { throw OpenSSLError.take("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        var numbers: [OpaquePointer] = []
        defer { for number in numbers { BN_clear_free(number) } }
        // Names, strings and octets must stay alive until the parameters are built and used.
        var storage: [UnsafeMutableRawBufferPointer] = []
        defer {
            for buffer in storage {
                OPENSSL_cleanse(buffer.baseAddress, buffer.count)
                buffer.deallocate()
            }
        }
        for parameter in parameters {
            let pushed: Bool
            // The builder keeps the name pointer rather than copying it, so it must outlive the build too.
            func name(_ text: String) -> UnsafePointer<CChar>? {
                UnsafePointer(
                    copy(Array(text.utf8) + [0], into: &storage).baseAddress?.assumingMemoryBound(to: CChar.self)
                )
            }
            switch parameter {
            case .bigNumber(let key, let bytes):
                guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else {
                    throw OpenSSLError.take("BN_bin2bn")
                }
                numbers.append(number)
                pushed = OSSL_PARAM_BLD_push_BN(builder, name(key), number) == 1
            case .utf8(let key, let value):
                let buffer = copy(Array(value.utf8) + [0], into: &storage)
                pushed =
                    OSSL_PARAM_BLD_push_utf8_string(
                        builder,
                        name(key),
                        buffer.baseAddress?.assumingMemoryBound(to: CChar.self),
                        value.utf8.count
                    ) == 1
            case .octets(let key, let bytes):
                let buffer = copy(bytes, into: &storage)
                pushed = OSSL_PARAM_BLD_push_octet_string(builder, name(key), buffer.baseAddress, bytes.count) == 1
            }
            guard pushed else { throw OpenSSLError.take("OSSL_PARAM_BLD_push") }
        }
        guard let params = OSSL_PARAM_BLD_to_param(builder) else { throw OpenSSLError.take("OSSL_PARAM_BLD_to_param") }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else {
            throw OpenSSLError.take("EVP_PKEY_CTX_new_from_name(\(type))")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        let selection =
            includesPrivate ? CAuthKitOpenSSL_selectionKeyPair() : CAuthKitOpenSSL_selectionPublicKey()
        guard EVP_PKEY_fromdata_init(context) == 1, EVP_PKEY_fromdata(context, &key, selection, params) == 1,
            let key
        else {
            throw OpenSSLError.take("building the \(type) key", code: .invalidKey)
        }
        return try EVPKey(taking: key)
    }

    private static func copy(
        _ bytes: [UInt8],
        into storage: inout [UnsafeMutableRawBufferPointer]
    ) -> UnsafeMutableRawBufferPointer {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        buffer.copyBytes(from: bytes)
        storage.append(buffer)
        return buffer
    }

    /// An Ed25519 key from its raw 32-byte public or private key (`EVP_PKEY_new_raw_*_key`).
    static func ed25519(raw: [UInt8], isPrivate: Bool) throws(JWTError) -> EVPKey {
        let key = raw.withUnsafeBufferPointer { buffer in
            isPrivate
                ? EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, buffer.baseAddress, buffer.count)
                : EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, buffer.baseAddress, buffer.count)
        }
        guard let key else { throw OpenSSLError.take("building the Ed25519 key", code: .invalidKey) }
        return try EVPKey(taking: key)
    }

    /// A new random key (`EVP_PKEY_generate`): RSA of `rsaBits`, an EC key on `curve`, or Ed25519.
    static func generate(_ kind: Kind, rsaBits: Int = 2048) throws(JWTError) -> EVPKey {
        let name: String
        switch kind {
        case .rsa: name = "RSA"
        case .ec: name = "EC"
        case .ed25519: name = "ED25519"
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw OpenSSLError.take("EVP_PKEY_CTX_new_from_name(\(name))")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else { throw OpenSSLError.take("EVP_PKEY_keygen_init") }
        switch kind {
        case .rsa:
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(rsaBits)) == 1 else {
                throw OpenSSLError.take("EVP_PKEY_CTX_set_rsa_keygen_bits")
            }
        case .ec(let curve):
            guard EVP_PKEY_CTX_set_group_name(context, curve.name) == 1 else {
                throw OpenSSLError.take("EVP_PKEY_CTX_set_group_name")
            }
        case .ed25519:
            break
        }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(context, &key) == 1, let key else { throw OpenSSLError.take("EVP_PKEY_generate") }
        return try EVPKey(taking: key)
    }

    // MARK: Checks

    /// Whether the public key is valid for its type, such as an EC point on its curve (`EVP_PKEY_public_check`).
    func publicCheck() -> Bool {
        check(EVP_PKEY_public_check)
    }

    /// Whether the private and public halves belong together (`EVP_PKEY_pairwise_check`).
    func pairwiseCheck() -> Bool {
        check(EVP_PKEY_pairwise_check)
    }

    private func check(_ function: (OpaquePointer?) -> Int32) -> Bool {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else {
            OpenSSLError.clear()
            return false
        }
        defer { EVP_PKEY_CTX_free(context) }
        let valid = function(context) == 1
        OpenSSLError.clear()
        return valid
    }

    // MARK: Exporting

    /// The key as PEM: PKCS#8 `PRIVATE KEY` when `includePrivate` (and the key is private), otherwise
    /// SubjectPublicKeyInfo `PUBLIC KEY`.
    func pem(includePrivate: Bool) throws(JWTError) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw OpenSSLError.take("BIO_new") }
        defer { BIO_free(bio) }
        let written =
            includePrivate
            ? PEM_write_bio_PrivateKey(bio, pointer, nil, nil, 0, nil, nil)
            : PEM_write_bio_PUBKEY(bio, pointer)
        guard written == 1 else { throw OpenSSLError.take("PEM_write_bio") }
        let pending = Int(BIO_ctrl_pending(bio))
        var output = [UInt8](repeating: 0, count: pending)
        let read = output.withUnsafeMutableBytes { BIO_read(bio, $0.baseAddress, Int32(pending)) }
        guard Int(read) == pending else { throw OpenSSLError.take("BIO_read") }
        let text = String(decoding: output, as: UTF8.self)
        OPENSSL_cleanse(&output, output.count)
        return text
    }

    /// The public key as DER SubjectPublicKeyInfo (`i2d_PUBKEY`).
    func publicDER() throws(JWTError) -> [UInt8] {
        let length = i2d_PUBKEY(pointer, nil)
        guard length > 0 else { throw OpenSSLError.take("i2d_PUBKEY") }
        var output = [UInt8](repeating: 0, count: Int(length))
        let written = output.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(pointer, &cursor)
        }
        guard written == length else { throw OpenSSLError.take("i2d_PUBKEY") }
        return output
    }
}
