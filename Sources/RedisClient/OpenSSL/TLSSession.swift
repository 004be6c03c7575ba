import AuthKitPlatform
internal import CAuthKitOpenSSL

/// Owns one client `SSL` object (freed with `SSL_free`) that works on memory BIOs: the connection moves the
/// ciphertext itself with `send(MSG_NOSIGNAL)`/`recv`, so OpenSSL never writes to a socket and a closed peer can
/// never raise SIGPIPE.
///
/// Used only on the event-loop thread of the connection that owns it.
final class TLSSession {
    private let ssl: OpaquePointer
    private let networkIn: OpaquePointer
    private let networkOut: OpaquePointer

    init(context: TLSContext, host: String) throws(RedisError) {
        guard let ssl = SSL_new(context.context) else {
            throw RedisError(.tls, "SSL_new failed: \(OpenSSLErrors.drain())")
        }
        guard let networkIn = BIO_new(BIO_s_mem()), let networkOut = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw RedisError(.tls, "BIO_new failed: \(OpenSSLErrors.drain())")
        }
        // An empty input BIO means "wait for more bytes", not end of stream.
        _ = CAuthKitOpenSSL_BIO_set_mem_eof_return(networkIn, -1)
        SSL_set_bio(ssl, networkIn, networkOut)
        self.ssl = ssl
        self.networkIn = networkIn
        self.networkOut = networkOut
        SSL_set_connect_state(ssl)
        if Self.isIPAddress(host) {
            guard X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) == 1 else {
                throw RedisError(.tls, "cannot verify against IP address \(host): \(OpenSSLErrors.drain())")
            }
        } else {
            guard SSL_set1_host(ssl, host) == 1, CAuthKitOpenSSL_SSL_set_tlsext_host_name(ssl, host) == 1 else {
                throw RedisError(.tls, "cannot set host name \(host): \(OpenSSLErrors.drain())")
            }
        }
        SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
    }

    deinit {
        SSL_free(ssl)
    }

    /// Hands ciphertext received from the server to OpenSSL.
    func receive(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let written = BIO_write(networkIn, base, Int32(bytes.count))
        if written != Int32(bytes.count) {
            throw RedisError(.tls, "BIO_write failed: \(OpenSSLErrors.drain())")
        }
    }

    /// Advances the handshake (`SSL_do_handshake`); `true` once it is complete and the peer verified.
    func handshake() throws(RedisError) -> Bool {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            return true
        }
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE {
            return false
        }
        let verify = SSL_get_verify_result(ssl)
        if verify != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verify))
            throw RedisError(.tls, "server certificate rejected: \(reason)")
        }
        throw RedisError(.tls, "TLS handshake failed: \(OpenSSLErrors.drain())")
    }

    /// Decrypts what it can into `buffer` (`SSL_read`): the byte count, 0 when more ciphertext is needed.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(RedisError) -> Int {
        let result = SSL_read(ssl, buffer.baseAddress, Int32(buffer.count))
        if result > 0 {
            return Int(result)
        }
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE {
            return 0
        }
        if error == SSL_ERROR_ZERO_RETURN {
            throw RedisError(.connectionClosed, "the server closed the TLS session")
        }
        throw RedisError(.tls, "TLS read failed: \(OpenSSLErrors.drain())")
    }

    /// Encrypts all of `bytes` (`SSL_write` into the memory BIO, which never fills up).
    func write(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        var offset = 0
        while offset < bytes.count {
            let chunk = min(bytes.count - offset, 1 << 20)
            let result = SSL_write(ssl, bytes.baseAddress.map { $0 + offset }, Int32(chunk))
            if result <= 0 {
                throw RedisError(.tls, "TLS write failed: \(OpenSSLErrors.drain())")
            }
            offset += Int(result)
        }
    }

    /// Moves the ciphertext OpenSSL produced into `output`, to be sent on the socket.
    func drainCiphertext(into output: inout [UInt8]) {
        while true {
            let pending = Int(CAuthKitOpenSSL_BIO_pending(networkOut))
            if pending <= 0 { return }
            let start = output.count
            output.append(contentsOf: repeatElement(0, count: pending))
            let read = output.withUnsafeMutableBufferPointer { buffer in
                BIO_read(networkOut, buffer.baseAddress.map { $0 + start }, Int32(pending))
            }
            output.removeLast(pending - max(Int(read), 0))
            if read <= 0 { return }
        }
    }

    private static func isIPAddress(_ host: String) -> Bool {
        Platform.isIPAddress(host)
    }
}
