import ArgumentParser
import AuthKitRedis
import PermissionCache

/// `authkit permissions invalidate`: forget cached permissions after changing a user's roles.
struct PermissionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "permissions",
        abstract: "Manage cached permissions in a Redis store.",
        subcommands: [Invalidate.self]
    )

    /// `authkit permissions invalidate --redis URL USER` (or `--all`).
    struct Invalidate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Invalidate one user's cached permissions (or everyone's with --all), in every instance."
        )

        @OptionGroup var store: RedisOptions

        @Flag(help: "Invalidate every user's permissions (a version bump, not a scan).")
        var all = false

        @Argument(help: "The user id.")
        var user: String?

        func validate() throws {
            guard all != (user != nil) else { throw ValidationError("give either a USER or --all") }
        }

        func run() async throws {
            do {
                try await store.withClient { redis in
                    let cache = PermissionCache(
                        store: try RedisPermissionStore(client: redis, keyPrefix: store.prefix),
                        invalidationChannel: RedisPermissionInvalidationChannel(client: redis, keyPrefix: store.prefix)
                    )
                    if let user {
                        try await cache.invalidate(user)
                    } else {
                        try await cache.invalidateAll()
                    }
                }
            } catch {
                throw storeFailure(error)
            }
            print(user.map { "invalidated the permissions of \($0)" } ?? "invalidated every user's permissions")
        }
    }
}
