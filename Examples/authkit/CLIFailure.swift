import JWTCore

/// A rejection the CLI reports as exit status 1 with one line on stderr that begins with the error code.
struct CLIFailure: Error {
    let line: String

    init(_ error: JWTError) {
        line = "\(error.code.name): \(error.message)"
    }

    init(code: String, _ message: String) {
        line = "\(code): \(message)"
    }
}
