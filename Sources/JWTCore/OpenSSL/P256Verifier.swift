internal import CAuthKitOpenSSL
import Synchronization

/// ES256 verification for one fixed public key `Q`, with a precomputed multiplication table for `Q`.
///
/// ECDSA verification computes `R = u1·G + u2·Q` and accepts when `R` is not the point at infinity and
/// `R.x mod n == r`. OpenSSL's P-256 code multiplies by the standard generator `G` with a built-in table but
/// by any other point with a windowed multiply about six times slower, and `EVP_DigestVerify` pays that on
/// every call. Here a copy of the P-256 group takes `Q` as its generator and gets its own table once
/// (`EC_GROUP_precompute_mult`, about 20 ms and 150 KB), so both products use a table and a verify costs
/// about half as much. Only libcrypto does arithmetic: this type chooses which of its calls to make.
///
/// `@unchecked Sendable`: both groups and the table are only read after `init`, and each call works with its
/// own `BN_CTX` and points (a ``Workspace`` taken from a free list, which saves a score of allocations per
/// verify); `deinit` runs when no caller can still reach
/// the verifier.
final class P256Verifier: @unchecked Sendable {
    /// A `BN_CTX` and the two result points for one verify, owned by the free list or by the one caller that
    /// took it. They hold only public values (the signature's scalars and points derived from them).
    private struct Workspace: @unchecked Sendable {
        let context: OpaquePointer
        let sum: OpaquePointer
        let keyProduct: OpaquePointer
    }

    private static let maxIdle = 16

    /// The standard P-256 group, for `u1·G` and for the final sum.
    private let standard: OpaquePointer
    /// A copy of P-256 whose generator is the public key, with its precomputed table, for `u2·Q`.
    private let keyGroup: OpaquePointer
    /// The group order `n` (owned by `standard`).
    private let order: OpaquePointer
    private let idle = Mutex<[Workspace]>([])

    /// Builds the table for `key`'s public point; throws when `key` is not a P-256 key or OpenSSL fails.
    init(key: EVPKey) throws(JWTError) {
        guard key.kind == .ec(.p256), let encoded = key.octets("pub") else {
            throw JWTError(.invalidKey, "a P-256 table needs a P-256 public key")
        }
        guard let standard = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1) else {
            throw OpenSSLError.take("EC_GROUP_new_by_curve_name(P-256)")
        }
        var built = false
        defer { if !built { EC_GROUP_free(standard) } }
        guard let order = EC_GROUP_get0_order(standard) else { throw OpenSSLError.take("EC_GROUP_get0_order") }
        self.keyGroup = try Self.keyGroup(standard: standard, order: order, encodedPoint: encoded)
        self.standard = standard
        self.order = order
        built = true
        OpenSSLError.clear()
    }

    /// A copy of `standard` whose generator is the encoded public point, with the table precomputed.
    private static func keyGroup(
        standard: OpaquePointer,
        order: OpaquePointer,
        encodedPoint: [UInt8]
    ) throws(JWTError) -> OpaquePointer {
        guard let context = BN_CTX_new() else { throw OpenSSLError.take("BN_CTX_new") }
        defer { BN_CTX_free(context) }
        guard let point = EC_POINT_new(standard) else { throw OpenSSLError.take("EC_POINT_new") }
        defer { EC_POINT_free(point) }
        // oct2point refuses an encoding that is not a point on the curve.
        let decoded = encodedPoint.withUnsafeBufferPointer { buffer in
            EC_POINT_oct2point(standard, point, buffer.baseAddress, buffer.count, context)
        }
        guard decoded == 1, EC_POINT_is_at_infinity(standard, point) == 0 else {
            throw OpenSSLError.take("decoding the P-256 public point", code: .invalidKey)
        }
        guard let group = EC_GROUP_dup(standard) else { throw OpenSSLError.take("EC_GROUP_dup") }
        guard EC_GROUP_set_generator(group, point, order, EC_GROUP_get0_cofactor(standard)) == 1,
            CAuthKitOpenSSL_EC_GROUP_precompute_mult(group, context) == 1,
            CAuthKitOpenSSL_EC_GROUP_have_precompute_mult(group) == 1
        else {
            EC_GROUP_free(group)
            throw OpenSSLError.take("precomputing the P-256 public key table")
        }
        return group
    }

    deinit {
        idle.withLock { workspaces in
            for workspace in workspaces { Self.free(workspace) }
        }
        EC_GROUP_free(keyGroup)
        EC_GROUP_free(standard)
    }

    /// Checks a JOSE ES256 signature (`r || s`, 32 bytes each) over `input`, hashing `input` with SHA-256.
    /// Any failure, including an internal OpenSSL one, answers `false` and leaves the error queue empty.
    func verify(signature: UnsafeRawBufferPointer, input: UnsafeRawBufferPointer) -> Bool {
        let size = ECCurve.p256.coordinateSize
        guard signature.count == 2 * size, let signatureBase = signature.baseAddress else { return false }
        let order = ECCurve.p256.order
        guard ECDSASignature.inRange(UnsafeRawBufferPointer(rebasing: signature[0..<size]), order: order),
            ECDSASignature.inRange(UnsafeRawBufferPointer(rebasing: signature[size...]), order: order)
        else { return false }
        let accepted = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: size) { digest -> Bool in
            let bytes = input.baseAddress?.assumingMemoryBound(to: UInt8.self)
            guard let digestBase = digest.baseAddress, SHA256(bytes, input.count, digestBase) != nil else {
                return false
            }
            let r = signatureBase.assumingMemoryBound(to: UInt8.self)
            return check(r: r, s: r + size, e: digestBase)
        }
        if !accepted { OpenSSLError.clear() }
        return accepted
    }

    /// `x(u1·G + u2·Q) mod n == r` with `w = s⁻¹ mod n`, `u1 = e·w`, `u2 = r·w`, where `r` and `s` are
    /// already known to lie in `[1, n)` and `e` is the whole 32-byte digest (P-256's order has 256 bits).
    private func check(
        r rBytes: UnsafePointer<UInt8>,
        s sBytes: UnsafePointer<UInt8>,
        e digest: UnsafePointer<UInt8>
    ) -> Bool {
        guard let workspace = takeWorkspace() else { return false }
        defer { giveBack(workspace) }
        let context = workspace.context
        BN_CTX_start(context)
        defer { BN_CTX_end(context) }
        // BN_CTX_get fails for good once one call fails, so checking the last one covers them all.
        let r = BN_CTX_get(context)
        let s = BN_CTX_get(context)
        let e = BN_CTX_get(context)
        let w = BN_CTX_get(context)
        let u1 = BN_CTX_get(context)
        let u2 = BN_CTX_get(context)
        guard let x = BN_CTX_get(context) else { return false }
        let size = Int32(ECCurve.p256.coordinateSize)
        guard BN_bin2bn(rBytes, size, r) != nil, BN_bin2bn(sBytes, size, s) != nil,
            BN_bin2bn(digest, size, e) != nil,
            BN_mod_inverse(w, s, order, context) != nil,
            BN_mod_mul(u1, e, w, order, context) == 1,
            BN_mod_mul(u2, r, w, order, context) == 1
        else { return false }
        let sum = workspace.sum
        let keyProduct = workspace.keyProduct
        guard EC_POINT_mul(standard, sum, u1, nil, nil, context) == 1,
            EC_POINT_mul(keyGroup, keyProduct, u2, nil, nil, context) == 1,
            EC_POINT_add(standard, sum, sum, keyProduct, context) == 1,
            EC_POINT_is_at_infinity(standard, sum) == 0,
            EC_POINT_get_affine_coordinates(standard, sum, x, nil, context) == 1,
            BN_nnmod(x, x, order, context) == 1
        else { return false }
        return BN_cmp(x, r) == 0
    }

    private func takeWorkspace() -> Workspace? {
        if let workspace = idle.withLock({ $0.popLast() }) { return workspace }
        guard let context = BN_CTX_new() else { return nil }
        guard let sum = EC_POINT_new(standard) else {
            BN_CTX_free(context)
            return nil
        }
        guard let keyProduct = EC_POINT_new(keyGroup) else {
            EC_POINT_free(sum)
            BN_CTX_free(context)
            return nil
        }
        return Workspace(context: context, sum: sum, keyProduct: keyProduct)
    }

    private func giveBack(_ workspace: Workspace) {
        let surplus = idle.withLock { workspaces -> Workspace? in
            guard workspaces.count < Self.maxIdle else { return workspace }
            workspaces.append(workspace)
            return nil
        }
        if let surplus { Self.free(surplus) }
    }

    private static func free(_ workspace: Workspace) {
        EC_POINT_free(workspace.keyProduct)
        EC_POINT_free(workspace.sum)
        BN_CTX_free(workspace.context)
    }

    /// Whether the key's group carries its own precomputed table (for tests).
    var hasTable: Bool {
        let present = CAuthKitOpenSSL_EC_GROUP_have_precompute_mult(keyGroup) == 1
        OpenSSLError.clear()
        return present
    }
}
