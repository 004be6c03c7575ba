internal import CAuthKitOpenSSL

/// An HMAC secret bound to one of HS256/HS384/HS512, with its precomputed hash states (``HMACKeyState``).
///
/// The secret is kept in memory AuthKit allocates itself so it can be wiped (`OPENSSL_cleanse`) on release.
/// `@unchecked Sendable`: the secret buffer is written once in `init` and only read afterwards.
final class HMACKeyBacking: JWTKeyBacking, @unchecked Sendable {
    let algorithm: JWTAlgorithm
    private let digest: Digest
    private let secret: UnsafeMutableRawBufferPointer
    private let state: HMACKeyState

    init(algorithm: JWTAlgorithm, digest: Digest, secret: some Collection<UInt8>) throws(JWTError) {
        guard secret.count >= digest.size else {
            throw JWTError(
                .weakKey,
                "\(algorithm.name) needs a key of at least \(digest.size) bytes (its hash output); got \(secret.count)"
            )
        }
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: secret.count, alignment: 1)
        storage.copyBytes(from: secret)
        do throws(JWTError) {
            self.state = try HMACKeyState(digest: digest, key: UnsafeRawBufferPointer(storage))
        } catch {
            OPENSSL_cleanse(storage.baseAddress, storage.count)
            storage.deallocate()
            throw error
        }
        self.algorithm = algorithm
        self.digest = digest
        self.secret = storage
    }

    deinit {
        OPENSSL_cleanse(secret.baseAddress, secret.count)
        secret.deallocate()
    }

    var canSign: Bool { true }

    var signatureLength: Int? { digest.size }

    func sign(_ input: UnsafeRawBufferPointer) throws(JWTError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: digest.size)
        guard output.withUnsafeMutableBytes({ state.authenticate(input, into: $0) }) else {
            throw OpenSSLError.take("HMAC-\(digest.openSSLName)")
        }
        return output
    }

    func verify(signature: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer) -> Bool {
        guard signature.count == digest.size else { return false }
        return withUnsafeTemporaryAllocation(byteCount: digest.size, alignment: 1) { expected in
            guard state.authenticate(input, into: expected) else { return false }
            return CRYPTO_memcmp(expected.baseAddress, signature.baseAddress, digest.size) == 0
        }
    }

    func jwkMembers(includePrivate: Bool) throws(JWTError) -> JSONObject {
        guard includePrivate else {
            throw JWTError(.invalidKey, "an HMAC key is a shared secret and has no public form")
        }
        return ["kty": "oct", "k": .string(Base64URL.encode(UnsafeRawBufferPointer(secret)))]
    }

    func thumbprintMembers() throws(JWTError) -> JSONObject {
        ["k": .string(Base64URL.encode(UnsafeRawBufferPointer(secret))), "kty": "oct"]
    }
}
