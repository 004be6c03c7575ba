import ArgumentParser
import AuthKitClock
import AuthKitRedis
import JWTCore
import TokenStore

/// `authkit sessions list|revoke`: an operator's view of one user's logins in a Redis store.
struct SessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sessions",
        abstract: "List or end a user's sessions in a Redis store.",
        subcommands: [List.self, Revoke.self]
    )

    /// `authkit sessions list --redis URL USER`: one JSON object per session.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the user's live sessions, one JSON line each.")

        @OptionGroup var store: RedisOptions

        @Argument(help: "The user id.")
        var user: String

        func run() async throws {
            do {
                let sessions = try await store.withClient { try await store.tokenStore($0).sessions(userID: user) }
                for session in sessions {
                    let line: JSONValue = [
                        "id": .string(session.id),
                        "device": .string(session.device.name),
                        "ip": .string(session.device.ipAddress),
                        "user_agent": .string(session.device.userAgent),
                        "created_at": .number(Double(session.createdAt.seconds)),
                        "last_seen": .number(Double(session.lastSeenAt.seconds)),
                        "expires_at": .number(Double(session.expiresAt.seconds)),
                    ]
                    print(try line.jsonText())
                }
            } catch {
                throw storeFailure(error)
            }
        }
    }

    /// `authkit sessions revoke --redis URL USER --session ID`: ends one session and its refresh tokens.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "End one session (and its refresh tokens).")

        @OptionGroup var store: RedisOptions

        @Argument(help: "The user id.")
        var user: String

        // Session ids are base64url and may start with "-", so the value is taken whatever it looks like.
        @Option(parsing: .unconditional, help: "The session id, as `sessions list` prints it.")
        var session: String

        func run() async throws {
            let ended: Bool
            do {
                ended = try await store.withClient {
                    try await store.tokenStore($0).revokeSession(userID: user, sessionID: session)
                }
            } catch {
                throw storeFailure(error)
            }
            guard ended else {
                throw CLIFailure(code: "notFound", "the user has no live session \(session)")
            }
            print("revoked session \(session) of \(user)")
        }
    }
}

/// `authkit revoke-all --redis URL USER`: log a user out everywhere.
struct RevokeAllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-all",
        abstract: "Log a user out everywhere: end every session and refuse every access token issued until now."
    )

    @OptionGroup var store: RedisOptions

    @Option(help: "How long to remember the cut-off, in seconds: at least the access-token lifetime.")
    var retention: Int = 86_400

    @Argument(help: "The user id.")
    var user: String

    func run() async throws {
        guard retention > 0 else { throw ValidationError("--retention must be positive") }
        let ended: Int
        do {
            ended = try await store.withClient {
                try await store.tokenStore($0).logOutEverywhere(userID: user, retention: .seconds(retention))
            }
        } catch {
            throw storeFailure(error)
        }
        print("logged \(user) out everywhere; \(ended) session(s) ended")
    }
}
