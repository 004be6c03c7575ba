import Foundation
import JWTKit

/// jwt-kit 5's side of the JWT comparison: a key collection with the same key, signing and verifying a payload
/// with the same claims, checked the same way (expiry, issue time, issuer, audience; every claim required).
public struct JWTKitJWT: Sendable {
    private let keys: JWTKeyCollection
    private let payload: Payload

    /// The claims, decoded and checked as jwt-kit users write them.
    struct Payload: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var jti: IDClaim
        var role: String

        func verify(using algorithm: some JWTAlgorithm) async throws {
            let now = Date()
            try exp.verifyNotExpired(currentDate: now)
            try aud.verifyIntendedAudience(includes: BenchClaims.audience)
            guard iss.value == BenchClaims.issuer else {
                throw JWTError.claimVerificationFailure(failedClaim: iss, reason: "wrong issuer")
            }
            guard iat.value <= now else {
                throw JWTError.claimVerificationFailure(failedClaim: iat, reason: "issued in the future")
            }
        }
    }

    /// Loads the key (`pem` for asymmetric algorithms, ``BenchClaims/hmacSecret`` for HS256).
    public init(_ algorithm: BenchAlgorithm, pem: String?) async throws {
        let keys = JWTKeyCollection()
        switch algorithm {
        case .hs256:
            await keys.add(hmac: HMACKey(from: BenchClaims.hmacSecret), digestAlgorithm: .sha256)
        case .rs256:
            await keys.add(rsa: try Insecure.RSA.PrivateKey(pem: pem ?? ""), digestAlgorithm: .sha256)
        case .es256:
            await keys.add(ecdsa: try ES256PrivateKey(pem: pem ?? ""))
        case .eddsa:
            await keys.add(eddsa: try EdDSA.PrivateKey(pem: pem ?? ""))
        }
        self.keys = keys
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        self.payload = Payload(
            iss: IssuerClaim(value: BenchClaims.issuer),
            sub: SubjectClaim(value: BenchClaims.subject),
            aud: AudienceClaim(value: [BenchClaims.audience]),
            exp: ExpirationClaim(value: now.addingTimeInterval(Double(BenchClaims.lifetimeSeconds))),
            iat: IssuedAtClaim(value: now),
            jti: IDClaim(value: BenchClaims.tokenID),
            role: BenchClaims.customValue
        )
    }

    /// Signs the claims.
    public func sign() async throws -> String {
        try await keys.sign(payload)
    }

    /// Verifies `token` with its claims and returns the custom claim.
    public func verify(_ token: String) async throws -> String {
        try await keys.verify(token, as: Payload.self).role
    }
}
