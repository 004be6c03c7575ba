/// A JWS signing algorithm (RFC 7518 §3, RFC 8037 §3.1) that AuthKit implements, identified by its exact
/// `alg` name.
///
/// There is deliberately no value for `none`: an unsigned token can never be expressed, let alone accepted.
public struct JWTAlgorithm: Hashable, Sendable, CustomStringConvertible {
    enum Family: Hashable, Sendable {
        case hmac(Digest)
        /// RSASSA-PKCS1-v1_5.
        case rsaPKCS1(Digest)
        /// RSASSA-PSS with MGF1 over the same hash and a salt as long as the hash.
        case rsaPSS(Digest)
        case ecdsa(Digest, ECCurve)
        /// Ed25519 (`EdDSA` with `crv` `Ed25519`); the hash is part of the scheme.
        case eddsa
    }

    /// The `alg` header value, compared byte for byte.
    public let name: String
    let family: Family

    private init(_ name: String, _ family: Family) {
        self.name = name
        self.family = family
    }

    /// HMAC with SHA-256; keys must hold at least 32 bytes.
    public static let hs256 = JWTAlgorithm("HS256", .hmac(.sha256))
    /// HMAC with SHA-384; keys must hold at least 48 bytes.
    public static let hs384 = JWTAlgorithm("HS384", .hmac(.sha384))
    /// HMAC with SHA-512; keys must hold at least 64 bytes.
    public static let hs512 = JWTAlgorithm("HS512", .hmac(.sha512))
    /// RSASSA-PKCS1-v1_5 with SHA-256; RSA keys of at least 2048 bits.
    public static let rs256 = JWTAlgorithm("RS256", .rsaPKCS1(.sha256))
    /// RSASSA-PKCS1-v1_5 with SHA-384; RSA keys of at least 2048 bits.
    public static let rs384 = JWTAlgorithm("RS384", .rsaPKCS1(.sha384))
    /// RSASSA-PKCS1-v1_5 with SHA-512; RSA keys of at least 2048 bits.
    public static let rs512 = JWTAlgorithm("RS512", .rsaPKCS1(.sha512))
    /// RSASSA-PSS with SHA-256 and MGF1-SHA-256, 32-byte salt; RSA keys of at least 2048 bits.
    public static let ps256 = JWTAlgorithm("PS256", .rsaPSS(.sha256))
    /// RSASSA-PSS with SHA-384 and MGF1-SHA-384, 48-byte salt; RSA keys of at least 2048 bits.
    public static let ps384 = JWTAlgorithm("PS384", .rsaPSS(.sha384))
    /// RSASSA-PSS with SHA-512 and MGF1-SHA-512, 64-byte salt; RSA keys of at least 2048 bits.
    public static let ps512 = JWTAlgorithm("PS512", .rsaPSS(.sha512))
    /// ECDSA on P-256 with SHA-256; signatures are the 64-byte JOSE `r || s`.
    public static let es256 = JWTAlgorithm("ES256", .ecdsa(.sha256, .p256))
    /// ECDSA on P-384 with SHA-384; signatures are the 96-byte JOSE `r || s`.
    public static let es384 = JWTAlgorithm("ES384", .ecdsa(.sha384, .p384))
    /// ECDSA on P-521 with SHA-512; signatures are the 132-byte JOSE `r || s`.
    public static let es512 = JWTAlgorithm("ES512", .ecdsa(.sha512, .p521))
    /// EdDSA with Ed25519 keys (RFC 8037); signatures are 64 bytes.
    public static let eddsa = JWTAlgorithm("EdDSA", .eddsa)

    /// Every algorithm AuthKit implements.
    public static let all: [JWTAlgorithm] = [
        .hs256, .hs384, .hs512, .rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .es256, .es384, .es512, .eddsa,
    ]

    /// The algorithm whose `alg` name is exactly `name` (case-sensitive), or `nil`; `none` is never found.
    public init?(name: some StringProtocol) {
        guard let found = Self.all.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    /// Whether the algorithm uses one shared secret for signing and verifying.
    public var isSymmetric: Bool {
        if case .hmac = family { return true }
        return false
    }

    /// The JWK key type (`kty`) of keys for this algorithm: `oct`, `RSA`, `EC` or `OKP`.
    public var keyType: String {
        switch family {
        case .hmac: "oct"
        case .rsaPKCS1, .rsaPSS: "RSA"
        case .ecdsa: "EC"
        case .eddsa: "OKP"
        }
    }

    public var description: String { name }

    public static func == (lhs: JWTAlgorithm, rhs: JWTAlgorithm) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
