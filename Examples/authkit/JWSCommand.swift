import ArgumentParser
import Foundation
import JWTCore

/// `authkit jws …`: compact JWS whose payload need not be JSON (webhooks, detached data).
struct JWSCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jws",
        abstract: "Verify compact JWS with arbitrary payloads.",
        subcommands: [Verify.self]
    )

    /// `authkit jws verify --key FILE [--alg ALG] [--kid KID] TOKEN|-`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a compact JWS and print its decoded payload.",
            discussion: """
                The same strict parsing and key rules as `jwt verify`, but no claims are checked and the payload \
                may be any bytes. Prints the payload exactly (no newline added) and exits 0, or exits 1 with the \
                error code on stderr.
                """
        )

        @Option(help: "A JWK, JWKS, PEM or DER file holding the verification keys.")
        var key: String

        @Option(name: .customLong("alg"), help: "Accept only this algorithm (repeatable).")
        var algorithms: [String] = []

        @Option(help: "The kid to give a PEM or DER key, to match the token's kid.")
        var kid: String?

        @Argument(help: "The token, or - to read it from standard input.")
        var token: String

        func run() throws {
            let accepted = try KeyFile.algorithms(algorithms)
            let keys = try KeyFile.keySet(at: key, algorithms: accepted, kid: kid)
            let text = token == "-" ? TokenInput.readStandardInput() : token
            let policy = JWTValidationPolicy(allowedAlgorithms: accepted.isEmpty ? nil : Set(accepted))
            do throws(JWTError) {
                let verifier = try JWTVerifier(keys: keys, policy: policy)
                let (_, payload) = try verifier.verifySignature(text)
                FileHandle.standardOutput.write(Data(payload))
            } catch {
                throw CLIFailure(error)
            }
        }
    }
}
