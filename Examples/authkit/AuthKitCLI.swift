import ArgumentParser
import Foundation
import Logging

/// The `authkit` command: keys, tokens and (with a Redis store) operator commands.
///
/// Exit status: 0 on success, 1 when a token or key is rejected (stderr starts with the error code),
/// 2 on a usage error.
@main
enum AuthKitCLI {
    static func main() async {
        // The CLI reports failures itself, in one line; library logs only appear when asked for.
        let level = ProcessInfo.processInfo.environment["AUTHKIT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level ?? .critical
            return handler
        }
        do {
            var command = try AuthKitCommand.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as CLIFailure {
            printError(failure.line)
            exit(1)
        } catch {
            let code = AuthKitCommand.exitCode(for: error)
            let message = AuthKitCommand.fullMessage(for: error)
            if code == .success {
                print(message)
                exit(0)
            }
            if !message.isEmpty { printError(message) }
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// The root command and its groups.
struct AuthKitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "authkit",
        abstract: "Keys, JWTs and session state for AuthKit.",
        subcommands: [
            KeyCommand.self, JWTCommand.self, JWSCommand.self, SessionsCommand.self, RevokeAllCommand.self,
            RateLimitCommand.self, PermissionsCommand.self,
        ]
    )
}

/// Writes one line to standard error.
func printError(_ line: String) {
    var text = line
    if !text.hasSuffix("\n") { text += "\n" }
    FileHandle.standardError.write(Data(text.utf8))
}
