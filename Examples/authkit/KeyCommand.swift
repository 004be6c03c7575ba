import ArgumentParser
import JWTCore

/// `authkit key …`: generating keys.
struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Generate keys.",
        subcommands: [Generate.self]
    )

    /// `authkit key generate ALG [--kid KID]`: prints a new private JWK.
    struct Generate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a key and print it as a private JWK.",
            discussion: "The default kid is the key's RFC 7638 thumbprint."
        )

        @Argument(help: "The algorithm: hs256, hs384 or hs512.")
        var algorithm: String

        @Option(help: "The key ID to give the key.")
        var kid: String?

        func run() throws {
            guard let algorithm = JWTAlgorithm(name: algorithm.uppercased()), algorithm.isSymmetric else {
                throw ValidationError("cannot generate \"\(algorithm)\"; expected hs256, hs384 or hs512")
            }
            do throws(JWTError) {
                let key = try JWTKey.generateHMAC(algorithm, kid: kid)
                print(try key.jwkString(includePrivate: true))
            } catch {
                throw CLIFailure(error)
            }
        }
    }
}
