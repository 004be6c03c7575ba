internal import CAuthKitOpenSSL

/// Reads a curve's group order from OpenSSL (`EC_GROUP_get0_order`), for the signature range check.
enum ECGroupOrder {
    /// The order of the named curve as `size` big-endian bytes; all-zero bytes (which make every signature
    /// fail the range check, so verification fails closed) if OpenSSL does not know the curve.
    static func bytes(curve: String, size: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: size)
        let nid = OBJ_txt2nid(curve) != NID_undef ? OBJ_txt2nid(curve) : EC_curve_nist2nid(curve)
        guard let group = EC_GROUP_new_by_curve_name(nid) else {
            OpenSSLError.clear()
            return output
        }
        defer { EC_GROUP_free(group) }
        let written = output.withUnsafeMutableBufferPointer { buffer in
            BN_bn2binpad(EC_GROUP_get0_order(group), buffer.baseAddress, Int32(size))
        }
        if written != Int32(size) {
            OpenSSLError.clear()
            return [UInt8](repeating: 0, count: size)
        }
        return output
    }
}
