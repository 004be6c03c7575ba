internal import CAuthKitOpenSSL

/// Owns one `SSL_CTX` (freed with `SSL_CTX_free`) configured for verified TLS 1.2+ client connections.
///
/// `@unchecked Sendable`: the context is fully configured in `init` and only read afterwards (`SSL_new`), which
/// OpenSSL allows from any thread.
final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer

    init(configuration: RedisTLSConfiguration) throws(RedisError) {
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw RedisError(.tls, "SSL_CTX_new failed: \(OpenSSLErrors.drain())")
        }
        self.context = context
        guard CAuthKitOpenSSL_SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) == 1 else {
            throw RedisError(.tls, "cannot require TLS 1.2: \(OpenSSLErrors.drain())")
        }
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
        if let caFile = configuration.caCertificateFile {
            guard SSL_CTX_load_verify_locations(context, caFile, nil) == 1 else {
                throw RedisError(.tls, "cannot load CA file \(caFile): \(OpenSSLErrors.drain())")
            }
        } else {
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw RedisError(.tls, "cannot load the system trust store: \(OpenSSLErrors.drain())")
            }
        }
        switch (configuration.certificateFile, configuration.privateKeyFile) {
        case (nil, nil):
            break
        case (let certificate?, let key?):
            guard SSL_CTX_use_certificate_chain_file(context, certificate) == 1 else {
                throw RedisError(.tls, "cannot load client certificate \(certificate): \(OpenSSLErrors.drain())")
            }
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                throw RedisError(.tls, "cannot load client key \(key): \(OpenSSLErrors.drain())")
            }
            guard SSL_CTX_check_private_key(context) == 1 else {
                throw RedisError(.tls, "client key does not match the certificate: \(OpenSSLErrors.drain())")
            }
        default:
            throw RedisError(.tls, "a client certificate needs both certificateFile and privateKeyFile")
        }
    }

    deinit {
        SSL_CTX_free(context)
    }
}
