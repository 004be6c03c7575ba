import ArgumentParser
import AuthKitRedis
import RateLimiter
import RedisClient

/// `authkit ratelimit check|status|reset`: one rate-limit key in a Redis store.
struct RateLimitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ratelimit",
        abstract: "Check, inspect or reset a rate-limit key in a Redis store.",
        subcommands: [Check.self, Status.self, Reset.self]
    )

    /// The policy options `check` and `status` share.
    struct PolicyOptions: ParsableArguments {
        @Option(help: "Requests allowed per window.")
        var limit: Int

        @Option(help: "The window, in seconds.")
        var window: Int

        @Option(help: "fixed-window, sliding-window or gcra.")
        var algorithm: String = "fixed-window"

        @Option(help: "GCRA bucket size (default: the limit).")
        var burst: Int?

        @Option(help: "What this request costs.")
        var cost: Int = 1

        func policy() throws -> RateLimitPolicy {
            guard let algorithm = RateLimitAlgorithm(name: algorithm) else {
                let names = RateLimitAlgorithm.all.map(\.name).joined(separator: ", ")
                throw ValidationError("unknown algorithm \"\(self.algorithm)\"; expected one of \(names)")
            }
            guard limit > 0, window > 0 else { throw ValidationError("--limit and --window must be positive") }
            let policy = RateLimitPolicy(limit: limit, window: .seconds(window), algorithm: algorithm, burst: burst)
            do {
                try policy.validate()
            } catch {
                throw ValidationError(error.message)
            }
            return policy
        }
    }

    /// Store failures must not silently allow: the CLI asks the store or fails.
    static func limiter(_ redis: RedisClient, prefix: String) -> RateLimiter {
        RateLimiter(
            store: RedisRateLimitStore(client: redis, keyPrefix: prefix),
            configuration: RateLimiterConfiguration(failureMode: .failClosed)
        )
    }

    /// `check`: charges the key; prints the decision as JSON; exit 0 when allowed, 1 when refused.
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Charge one request and print the decision as JSON (exit 0 allowed, 1 refused)."
        )

        @OptionGroup var store: RedisOptions
        @OptionGroup var options: PolicyOptions

        @Argument(help: "The rate-limit key, e.g. api:42.")
        var key: String

        func run() async throws {
            let policy = try options.policy()
            let decision: RateLimitDecision
            do {
                decision = try await store.withClient { redis in
                    try await RateLimitCommand.limiter(redis, prefix: store.prefix)
                        .check(key, policy: policy, cost: options.cost)
                }
            } catch {
                throw storeFailure(error)
            }
            print(decision.jsonLine)
            guard decision.source == .store else {
                throw CLIFailure(code: "storeUnavailable", "the store did not answer; refused without charging")
            }
            if !decision.isAllowed { throw ExitCode(1) }
        }
    }

    /// `status`: the key's state under the policy, without charging it.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the key's state as JSON without charging.")

        @OptionGroup var store: RedisOptions
        @OptionGroup var options: PolicyOptions

        @Argument(help: "The rate-limit key.")
        var key: String

        func run() async throws {
            let policy = try options.policy()
            do {
                let decision = try await store.withClient { redis in
                    try await RateLimitCommand.limiter(redis, prefix: store.prefix)
                        .status(key, policies: [policy], cost: options.cost)
                }
                print(decision.jsonLine)
            } catch {
                throw storeFailure(error)
            }
        }
    }

    /// `reset`: forgets every policy's state of the key.
    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget the key's state under every policy.")

        @OptionGroup var store: RedisOptions

        @Argument(help: "The rate-limit key.")
        var key: String

        func run() async throws {
            do {
                try await store.withClient { redis in
                    try await RedisRateLimitStore(client: redis, keyPrefix: store.prefix).reset(key: key)
                }
            } catch {
                throw storeFailure(error)
            }
            print("reset \(key)")
        }
    }
}
