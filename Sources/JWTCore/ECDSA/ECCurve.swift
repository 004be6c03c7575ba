/// The NIST curves JOSE pairs with ECDSA (RFC 7518 §3.4), each fixed to one algorithm.
enum ECCurve: Hashable, Sendable, CaseIterable {
    case p256
    case p384
    case p521

    /// The JWK `crv` name, which OpenSSL also accepts as a group name.
    var name: String {
        switch self {
        case .p256: "P-256"
        case .p384: "P-384"
        case .p521: "P-521"
        }
    }

    /// Bytes per coordinate and per JOSE signature half (`r` or `s`).
    var coordinateSize: Int {
        switch self {
        case .p256: 32
        case .p384: 48
        case .p521: 66
        }
    }

    /// The one algorithm keys on this curve are used with.
    var algorithm: JWTAlgorithm {
        switch self {
        case .p256: .es256
        case .p384: .es384
        case .p521: .es512
        }
    }

    /// The curve whose JWK or OpenSSL group name is `name` (OpenSSL's `prime256v1`, `secp384r1` and
    /// `secp521r1` included), or `nil`.
    init?(name: String) {
        switch name {
        case "P-256", "prime256v1", "secp256r1": self = .p256
        case "P-384", "secp384r1": self = .p384
        case "P-521", "secp521r1": self = .p521
        default: return nil
        }
    }

    /// The group order `n`, big-endian and `coordinateSize` bytes long, read from OpenSSL once.
    var order: [UInt8] {
        switch self {
        case .p256: Self.orders.0
        case .p384: Self.orders.1
        case .p521: Self.orders.2
        }
    }

    private static let orders: ([UInt8], [UInt8], [UInt8]) = (
        ECGroupOrder.bytes(curve: "P-256", size: 32),
        ECGroupOrder.bytes(curve: "P-384", size: 48),
        ECGroupOrder.bytes(curve: "P-521", size: 66)
    )
}
