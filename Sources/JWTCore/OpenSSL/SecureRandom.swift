internal import CAuthKitOpenSSL

/// Cryptographically secure random bytes from OpenSSL's DRBG (`RAND_bytes`).
enum SecureRandom {
    static func bytes(_ count: Int) throws(JWTError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: count)
        let status = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        guard status == 1 else { throw OpenSSLError.take("RAND_bytes") }
        return output
    }
}
