/// A JWS signing algorithm (RFC 7518 §3) that AuthKit implements, identified by its exact `alg` name.
///
/// There is deliberately no value for `none`: an unsigned token can never be expressed, let alone accepted.
public struct JWTAlgorithm: Hashable, Sendable, CustomStringConvertible {
    enum Family: Hashable, Sendable {
        case hmac(Digest)
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

    /// Every algorithm AuthKit implements.
    public static let all: [JWTAlgorithm] = [.hs256, .hs384, .hs512]

    /// The algorithm whose `alg` name is exactly `name` (case-sensitive), or `nil`; `none` is never found.
    public init?(name: some StringProtocol) {
        guard let found = Self.all.first(where: { $0.name == name }) else { return nil }
        self = found
    }

    /// Whether the algorithm uses one shared secret for signing and verifying.
    public var isSymmetric: Bool {
        switch family {
        case .hmac: true
        }
    }

    public var description: String { name }

    public static func == (lhs: JWTAlgorithm, rhs: JWTAlgorithm) -> Bool { lhs.name == rhs.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}
