internal import CAuthKitOpenSSL

/// HMAC (RFC 2104) for one key, over libcrypto's SHA-2 functions, with the key's two padded blocks hashed once.
///
/// An HMAC is H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)). The hash states after the two one-block prefixes depend only on the
/// key, so `init` computes them and every MAC starts from copies of them on the stack: two compressions fewer per
/// call, and no OpenSSL context to take from a pool under a lock, re-initialise and give back (through OpenSSL 3's
/// provider layer, `EVP_MAC_init`, `EVP_MAC_update` and `EVP_MAC_final` cost more than hashing a JWT's few hundred
/// bytes). The states are as secret as the key: they live in memory this class allocates and wipes
/// (`OPENSSL_cleanse`) on release, and every call wipes its copy.
///
/// `@unchecked Sendable`: the states are written once in `init` and only read (copied) afterwards.
final class HMACKeyState: @unchecked Sendable {
    let digest: Digest
    /// The hash state after the block K ⊕ ipad, then the one after K ⊕ opad: a `SHA256_CTX` each for SHA-256, a
    /// `SHA512_CTX` each for SHA-384 and SHA-512.
    private let states: UnsafeMutableRawBufferPointer
    private let stateSize: Int

    init(digest: Digest, key: UnsafeRawBufferPointer) throws(JWTError) {
        let stateSize = digest == .sha256 ? MemoryLayout<SHA256_CTX>.stride : MemoryLayout<SHA512_CTX>.stride
        let states = UnsafeMutableRawBufferPointer.allocate(byteCount: 2 * stateSize, alignment: 16)
        // A key longer than a block is replaced by its hash (RFC 2104 §2).
        var hashedKey = key.count > digest.blockSize ? try digest.hash(key) : []
        defer { OPENSSL_cleanse(&hashedKey, hashedKey.count) }
        let started = withUnsafeTemporaryAllocation(byteCount: digest.blockSize, alignment: 1) { block -> Bool in
            defer { OPENSSL_cleanse(block.baseAddress, block.count) }
            return hashedKey.withUnsafeBytes { hashed -> Bool in
                let material = hashed.isEmpty ? key : hashed
                var ok = true
                for (index, pad) in [UInt8(0x36), 0x5C].enumerated() {
                    for position in 0..<block.count {
                        block[position] = (position < material.count ? material[position] : 0) ^ pad
                    }
                    ok = ok && Self.start(digest, states.baseAddress.map { $0 + index * stateSize }, block)
                }
                return ok
            }
        }
        guard started else {
            OPENSSL_cleanse(states.baseAddress, states.count)
            states.deallocate()
            throw OpenSSLError.take("SHA\(digest.size * 8)_Init")
        }
        self.digest = digest
        self.states = states
        self.stateSize = stateSize
    }

    deinit {
        OPENSSL_cleanse(states.baseAddress, states.count)
        states.deallocate()
    }

    /// Hashes one padded key block into a fresh state at `state`.
    private static func start(
        _ digest: Digest,
        _ state: UnsafeMutableRawPointer?,
        _ block: UnsafeMutableRawBufferPointer
    )
        -> Bool
    {
        guard let state else { return false }
        switch digest {
        case .sha256:
            let context = state.bindMemory(to: SHA256_CTX.self, capacity: 1)
            return CAuthKitOpenSSL_SHA256_Init(context) == 1
                && CAuthKitOpenSSL_SHA256_Update(context, block.baseAddress, block.count) == 1
        case .sha384:
            let context = state.bindMemory(to: SHA512_CTX.self, capacity: 1)
            return CAuthKitOpenSSL_SHA384_Init(context) == 1
                && CAuthKitOpenSSL_SHA512_Update(context, block.baseAddress, block.count) == 1
        case .sha512:
            let context = state.bindMemory(to: SHA512_CTX.self, capacity: 1)
            return CAuthKitOpenSSL_SHA512_Init(context) == 1
                && CAuthKitOpenSSL_SHA512_Update(context, block.baseAddress, block.count) == 1
        }
    }

    /// Computes the HMAC of `input` into the first `digest.size` bytes of `output`; `false` when `output` is too
    /// small or libcrypto fails.
    func authenticate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        guard output.count >= digest.size, let tag = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return false
        }
        switch digest {
        case .sha256:
            return mac(SHA256_CTX.self, input, tag, CAuthKitOpenSSL_SHA256_Update, CAuthKitOpenSSL_SHA256_Final)
        case .sha384:
            return mac(SHA512_CTX.self, input, tag, CAuthKitOpenSSL_SHA512_Update, CAuthKitOpenSSL_SHA384_Final)
        case .sha512:
            return mac(SHA512_CTX.self, input, tag, CAuthKitOpenSSL_SHA512_Update, CAuthKitOpenSSL_SHA512_Final)
        }
    }

    /// The inner hash from a copy of the inner state into `tag`, then the outer hash of it from a copy of the outer
    /// state over it.
    private func mac<Context>(
        _: Context.Type,
        _ input: UnsafeRawBufferPointer,
        _ tag: UnsafeMutablePointer<UInt8>,
        _ update: (UnsafeMutablePointer<Context>?, UnsafeRawPointer?, Int) -> Int32,
        _ final: (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Context>?) -> Int32
    ) -> Bool {
        withUnsafeTemporaryAllocation(of: Context.self, capacity: 1) { buffer -> Bool in
            guard let context = buffer.baseAddress, let inner = states.baseAddress else { return false }
            defer { OPENSSL_cleanse(context, stateSize) }
            let raw = UnsafeMutableRawPointer(context)
            raw.copyMemory(from: inner, byteCount: stateSize)
            guard update(context, input.baseAddress, input.count) == 1, final(tag, context) == 1 else { return false }
            raw.copyMemory(from: inner + stateSize, byteCount: stateSize)
            return update(context, tag, digest.size) == 1 && final(tag, context) == 1
        }
    }
}
