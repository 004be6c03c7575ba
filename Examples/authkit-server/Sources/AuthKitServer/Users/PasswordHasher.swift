import HummingbirdBcrypt
import NIOPosix

/// Password hashing with bcrypt, off Swift's cooperative thread pool.
///
/// bcrypt is slow on purpose (tens of milliseconds at cost 10), so hashing and checking run on NIO's blocking
/// thread pool rather than on the threads that serve requests. The check compares in constant time.
public enum PasswordHasher {
    /// The work factor of new hashes (2^cost rounds); raise it as hardware gets faster.
    public static let cost: UInt8 = 10

    /// A bcrypt hash of `password` with a fresh random salt.
    public static func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches `hash`.
    public static func verify(_ password: String, against hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
