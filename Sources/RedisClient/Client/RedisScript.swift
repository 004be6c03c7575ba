/// A Lua script that ``RedisClient/eval(_:keys:arguments:)`` runs by its SHA-1 (EVALSHA), loading it only when
/// the server's script cache does not have it.
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String
    /// The lowercase hex SHA-1 of ``source``, the name Redis caches the script under; empty in the unlikely case
    /// that libcrypto could not compute it (allocation failure), and the script is then sent whole with EVAL.
    public let sha1: String

    /// Creates a script value and computes its SHA-1 with libcrypto.
    public init(_ source: String) {
        self.source = source
        self.sha1 = SHA1.hexDigest(Array(source.utf8)) ?? ""
    }

    /// A script with a given name, for tests of what ``RedisClient/eval(_:keys:arguments:)`` does when the digest
    /// could not be computed (an empty name) or is not the server's.
    init(source: String, sha1: String) {
        self.source = source
        self.sha1 = sha1
    }
}
