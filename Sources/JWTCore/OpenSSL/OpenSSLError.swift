internal import CAuthKitOpenSSL

/// Turns OpenSSL's thread-local error queue into a ``JWTError``, read on the line after the failing call.
enum OpenSSLError {
    /// Drains the error queue and returns an error naming the failed operation and OpenSSL's reason.
    static func take(_ operation: String, code: JWTError.Code = .cryptoFailure) -> JWTError {
        var reason = ""
        let packed = ERR_get_error()
        if packed != 0 {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(packed, &buffer, buffer.count)
            reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        ERR_clear_error()
        return JWTError(code, reason.isEmpty ? "\(operation) failed" : "\(operation) failed: \(reason)")
    }

    /// Forgets whatever an expected failure (such as a signature mismatch) left on the error queue.
    static func clear() {
        ERR_clear_error()
    }
}
