import BenchSupport

/// `jwt-sign`, `jwt-verify` and `jwt-garbage`: one token signed, verified (claims included) or refused per
/// operation, by AuthKit or by jwt-kit with the same key and claims.
enum JWTScenario {
    static func operation(options: BenchmarkOptions) async throws -> @Sendable (Int) async throws -> Void {
        guard let algorithm = BenchAlgorithm(name: options.jwtAlgorithm) else {
            throw BenchmarkError("bad --alg \(options.jwtAlgorithm) (HS256, RS256, ES256, EdDSA)")
        }
        let authKit = try AuthKitJWT(algorithm)
        switch (options.scenario, options.implementation) {
        case ("jwt-sign", "jwt-kit"):
            let jwtKit = try await JWTKitJWT(algorithm, pem: try authKit.privatePEM())
            return { _ in _ = try await jwtKit.sign() }
        case ("jwt-verify", "jwt-kit"):
            let jwtKit = try await JWTKitJWT(algorithm, pem: try authKit.privatePEM())
            let token = try await jwtKit.sign()
            return { _ in _ = try await jwtKit.verify(token) }
        case ("jwt-sign", _):
            let claims = AuthKitJWT.claims()
            return { _ in _ = try authKit.sign(claims) }
        case ("jwt-verify", _):
            let token = try authKit.sign(AuthKitJWT.claims())
            return { _ in _ = try authKit.verify(token) }
        default:
            guard let token = HostileTokens.all.first(where: { $0.name == options.shape })?.token else {
                throw BenchmarkError("bad --shape \(options.shape)")
            }
            let verifier = try AuthKitJWT(.hs256)
            return { _ in
                // Refusal is the success here: a garbage token that verified would be the failure.
                if (try? verifier.verify(token)) != nil {
                    throw BenchmarkError("a garbage token was accepted")
                }
            }
        }
    }
}
