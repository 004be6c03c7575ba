/// Where an ``AuthKit`` issuer takes its signing keys from, and how often it looks there again, so that keys
/// rotate at run time on every instance without a restart.
///
/// - An array of keys (`signingKeys: [key]`, or ``keys(_:)``) is fixed: the first signs, all verify.
/// - ``directory(_:checkInterval:publicationLead:)`` reads a ring from a directory of key files, and reads it
///   again every `checkInterval`, installing it when it changed.
/// - ``provider(checkInterval:publicationLead:_:)`` asks a closure of the app's (a secrets manager, a
///   database) for the ring every `checkInterval`.
///
/// An instance never signs with a key it has published for less than `publicationLead`: when a reload makes a
/// key current that was not listed as ``SigningKeyRing/next`` long enough, the key that signed until then keeps
/// signing (while it is still in the ring) until the lead has passed. A key this instance signed with stays
/// accepted until the last token it signed has expired, even when its not-after instant is earlier; a key
/// removed from the ring is refused at once (the way to drop a compromised key). A reload that fails (an
/// unreadable file, a ring whose current key cannot sign) changes nothing: the ring in use stays, and the
/// failure is logged and counted (`authkit_signing_key_reloads_total`, `result` = `failed`).
public struct SigningKeySource: Sendable, ExpressibleByArrayLiteral {
    enum Origin: Sendable {
        case fixed([JWTKey])
        case directory(String)
        case provider(@Sendable () async throws -> SigningKeyRing)
    }

    let origin: Origin
    /// How often a directory or provider is looked at again (default 30 seconds).
    public var checkInterval: Duration
    /// How long a key is published before this instance signs with it (default 5 minutes); also the max-age of
    /// ``AuthKit/publicJWKS()``, so that every cached copy of the JWKS has the next key before it signs.
    public var publicationLead: Duration

    init(_ origin: Origin, checkInterval: Duration, publicationLead: Duration) {
        self.origin = origin
        self.checkInterval = checkInterval
        self.publicationLead = publicationLead
    }

    /// Fixed keys: the first signs, all verify (keep a rotated-out key here until its tokens have expired).
    public init(arrayLiteral keys: JWTKey...) {
        self = .keys(keys)
    }

    /// Fixed keys: the first signs, all verify.
    public static func keys(_ keys: [JWTKey]) -> SigningKeySource {
        SigningKeySource(.fixed(keys), checkInterval: .seconds(30), publicationLead: .seconds(300))
    }

    /// The ring in a directory, read now and again every `checkInterval`.
    ///
    /// The directory holds `keyring.json` and one file per key, named by its `kid`: `<kid>.pem` (PEM: PKCS#8,
    /// SEC 1, PKCS#1 or SPKI) or `<kid>.jwk` (a JWK, whose own `kid`, if any, must match). The manifest names
    /// the keys of the ring; files it does not name are ignored, so a key can be put in place before it is
    /// named:
    ///
    /// ```json
    /// {"current": "2026-11", "next": "2026-12", "retiring": {"2026-10": 1796083200}, "algorithm": "RS256"}
    /// ```
    ///
    /// `retiring` maps each retiring `kid` to its not-after instant in Unix seconds (or null); `algorithm` names
    /// the algorithm of keys whose file does not (an RSA PEM). Write the key files first and the manifest last,
    /// by renaming it into place, so that no reload sees half a change.
    public static func directory(
        _ path: String,
        checkInterval: Duration = .seconds(30),
        publicationLead: Duration = .seconds(300)
    ) -> SigningKeySource {
        SigningKeySource(.directory(path), checkInterval: checkInterval, publicationLead: publicationLead)
    }

    /// The ring an app's closure returns, asked now and again every `checkInterval`.
    public static func provider(
        checkInterval: Duration = .seconds(30),
        publicationLead: Duration = .seconds(300),
        _ load: @escaping @Sendable () async throws -> SigningKeyRing
    ) -> SigningKeySource {
        SigningKeySource(.provider(load), checkInterval: checkInterval, publicationLead: publicationLead)
    }
}
