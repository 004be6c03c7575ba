/// TLS settings for `rediss://` connections: which certificate authorities to trust and an optional client
/// certificate. The server's certificate chain and host name (or IP address) are always verified.
public struct RedisTLSConfiguration: Sendable, Hashable {
    /// A PEM file of trusted CA certificates; `nil` trusts the system's default store.
    public var caCertificateFile: String?
    /// A PEM certificate chain presented to servers that ask for a client certificate.
    public var certificateFile: String?
    /// The PEM private key of ``certificateFile``.
    public var privateKeyFile: String?
    /// The name checked against the server certificate and sent as SNI; `nil` uses the endpoint's host.
    public var serverName: String?

    /// Creates TLS settings.
    public init(
        caCertificateFile: String? = nil,
        certificateFile: String? = nil,
        privateKeyFile: String? = nil,
        serverName: String? = nil
    ) {
        self.caCertificateFile = caCertificateFile
        self.certificateFile = certificateFile
        self.privateKeyFile = privateKeyFile
        self.serverName = serverName
    }
}
