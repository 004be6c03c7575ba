/// Key and channel names for cached permissions.
enum PermissionRedisKeys {
    /// `<prefix>{u:<encoded uid>}:perms`: the user's hash tag, shared with the user's token-store keys.
    static func user(prefix: String, user: String) -> String {
        RedisKeyspace(prefix: prefix).userBase(user) + "perms"
    }

    /// `<prefix>{global}:perms-version`: the version every entry must have been saved under.
    static func globalVersion(prefix: String) -> String {
        "\(prefix){global}:perms-version"
    }

    /// `<prefix>perms-invalidations`: the pub/sub channel local caches listen on.
    static func channel(prefix: String) -> String {
        "\(prefix)perms-invalidations"
    }
}
