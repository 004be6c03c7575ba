import ArgumentParser
import JWTCore

/// `authkit key …`: generating keys and printing their public form.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Generate keys and print public keys.",
        subcommands: [Generate.self, Public.self]
    )

    /// `authkit key generate ALG [--pem] [--kid KID] [--bits N]`: prints a new private JWK or PEM.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a key and print it as a private JWK (or PKCS#8 PEM with --pem).",
            discussion: "The default kid is the key's RFC 7638 thumbprint."
        )

        @Argument(help: "The algorithm: hs256, hs384, hs512, rs256…rs512, ps256…ps512, es256, es384, es512, eddsa.")
        var algorithm: String

        @Option(help: "The key ID to give the key.")
        var kid: String?

        @Flag(help: "Print the private key as PKCS#8 PEM instead of a JWK (asymmetric algorithms only).")
        var pem = false

        @Option(help: "The RSA modulus size in bits (at least 2048).")
        var bits: Int = 2048

        func run() throws {
            let names = JWTAlgorithm.all.map { $0.name.lowercased() }.joined(separator: ", ")
            guard let algorithm = JWTAlgorithm.all.first(where: { $0.name.lowercased() == self.algorithm.lowercased() })
            else {
                throw ValidationError("cannot generate \"\(self.algorithm)\"; expected one of \(names)")
            }
            if pem, algorithm.isSymmetric {
                throw ValidationError("--pem needs an asymmetric algorithm; an HMAC secret has no PEM form")
            }
            if bits != 2048, algorithm.keyType != "RSA" {
                throw ValidationError("--bits applies to RSA algorithms only")
            }
            do throws(JWTError) {
                let key = try JWTKey.generate(algorithm, kid: kid, rsaBits: bits)
                if pem {
                    print(try key.pem(includePrivate: true), terminator: "")
                } else {
                    print(try key.jwkString(includePrivate: true))
                }
            } catch {
                throw CLIFailure(error)
            }
        }
    }

    /// `authkit key public FILE [--alg ALG] [--kid KID]`: the public JWK (one key) or JWKS (several).
    struct Public: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the public JWK of a key file, or the public JWKS of a key set.",
            discussion: """
                FILE is a JWK, a JWKS, a PEM or a DER key. HMAC secrets have no public form: a lone one is an \
                error, and they are left out of a JWKS.
                """
        )

        @Argument(help: "The key file.")
        var file: String

        @Option(help: "The algorithm of a key that does not name one (such as an RSA PEM).")
        var alg: String?

        @Option(help: "The kid to give a PEM or DER key (default: its RFC 7638 thumbprint).")
        var kid: String?

        @Flag(help: "Always print a JWKS, even for a single key.")
        var set = false

        func run() throws {
            let algorithms = try KeyFile.algorithms(alg.map { [$0] } ?? [])
            let keys = try KeyFile.keySet(at: file, algorithms: algorithms, kid: kid)
            do throws(JWTError) {
                var publicKeys: [JWTKey] = []
                for key in keys.keys where key.isAsymmetric {
                    let publicKey = try key.publicKey()
                    publicKeys.append(
                        publicKey.kid == nil ? publicKey.withKeyID(try publicKey.thumbprint()) : publicKey
                    )
                }
                guard !publicKeys.isEmpty else {
                    throw JWTError(.invalidKey, "the file holds only HMAC secrets, which have no public form")
                }
                if publicKeys.count == 1, !set, keys.keys.count == 1 {
                    print(try publicKeys[0].jwkString(includePrivate: false))
                } else {
                    print(try JWTKeySet(publicKeys).publicJWKSString())
                }
            } catch {
                throw CLIFailure(error)
            }
        }
    }
}
