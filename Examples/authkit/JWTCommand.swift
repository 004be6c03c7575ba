import ArgumentParser
import AuthKitClock
import Foundation
import JWTCore

/// `authkit jwt …`: signing, verifying and decoding tokens.
struct JWTCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jwt",
        abstract: "Sign, verify and decode JWTs.",
        subcommands: [Sign.self, Verify.self, Decode.self]
    )

    /// `authkit jwt sign --key FILE [--alg ALG] [--kid KID] --claims JSON|@FILE`.
    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign claims and print the token.")

        @Option(help: "A JWK, JWKS, PEM or DER file holding the signing key.")
        var key: String

        @Option(help: "The algorithm, when the JWK does not name one.")
        var alg: String?

        @Option(help: "Choose the key of this kid from a JWKS, and write it into the header.")
        var kid: String?

        @Option(help: "The claims as a JSON object, or @FILE to read them from a file.")
        var claims: String

        func run() throws {
            let algorithms = try KeyFile.algorithms(alg.map { [$0] } ?? [])
            let keys = try KeyFile.keySet(at: key, algorithms: algorithms, kid: kid)
            let claimsText: String
            if claims.hasPrefix("@") {
                claimsText = try KeyFile.text(at: String(claims.dropFirst()))
            } else {
                claimsText = claims
            }
            do throws(JWTError) {
                let signingKey = try keys.key(for: kid)
                guard let object = try JSONValue(parsing: claimsText).objectValue else {
                    throw JWTError(.malformed, "the claims are not a JSON object")
                }
                let signer = try JWTSigner(key: signingKey)
                print(try signer.sign(try JWTClaims(json: object)))
            } catch {
                throw CLIFailure(error)
            }
        }
    }

    /// `authkit jwt verify --key FILE [options] TOKEN|-`.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify a token and print its header and claims as JSON.",
            discussion: "Exits 0 when the token is valid, 1 with the error code on stderr when it is not."
        )

        @Option(help: "A JWK, JWKS, PEM or DER file holding the verification keys.")
        var key: String

        @Option(help: "The kid to give a PEM or DER key, to match the token's kid.")
        var kid: String?

        @Option(name: .customLong("alg"), help: "Accept only this algorithm (repeatable).")
        var algorithms: [String] = []

        @Option(help: "The required issuer.")
        var issuer: String?

        @Option(help: "An accepted audience.")
        var audience: String?

        @Option(help: "Clock-skew leeway in seconds (at most 300).")
        var leeway: Int = 0

        @Option(help: "Verify as if the time were this many seconds since 1970.")
        var now: Int64?

        @Option(name: .customLong("require"), help: "A claim that must be present (repeatable).")
        var required: [String] = []

        @Option(help: "The required header typ, such as JWT or at+jwt.")
        var typ: String?

        @Argument(help: "The token, or - to read it from standard input.")
        var token: String

        func run() throws {
            let accepted = try KeyFile.algorithms(algorithms)
            let keys = try KeyFile.keySet(at: key, algorithms: accepted, kid: kid)
            let text = token == "-" ? TokenInput.readStandardInput() : token
            let policy = JWTValidationPolicy(
                issuer: issuer,
                audiences: audience.map { [$0] } ?? [],
                requiredClaims: Set(["exp"] + required),
                expectedType: typ,
                leeway: .seconds(leeway),
                allowedAlgorithms: accepted.isEmpty ? nil : Set(accepted)
            )
            do throws(JWTError) {
                let clock = now.map { TimeSource.fixed(UnixTime(seconds: $0)) } ?? .system
                let verifier = try JWTVerifier(keys: keys, policy: policy, clock: clock)
                let verified = try verifier.verify(text)
                let output: JSONObject = [
                    "header": .object(verified.header.members), "claims": .object(verified.payloadObject),
                ]
                print(try JSONValue.object(output).jsonText())
            } catch {
                throw CLIFailure(error)
            }
        }
    }

    /// `authkit jwt decode TOKEN`: header and claims without any check, marked UNVERIFIED.
    struct Decode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a token's header and claims WITHOUT verifying them."
        )

        @Argument(help: "The token, or - to read it from standard input.")
        var token: String

        func run() throws {
            let text = token == "-" ? TokenInput.readStandardInput() : token
            do throws(JWTError) {
                let (header, payload) = try UnverifiedJWTDecoder.decode(text)
                let output: JSONObject = [
                    "UNVERIFIED": "signature and claims were NOT checked",
                    "header": .object(header), "claims": .object(payload),
                ]
                print(try JSONValue.object(output).jsonText())
            } catch {
                throw CLIFailure(error)
            }
        }
    }
}

/// Reading a token from standard input: one trailing newline is ignored and nothing else is.
enum TokenInput {
    static func readStandardInput() -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        var bytes = [UInt8](data)
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
