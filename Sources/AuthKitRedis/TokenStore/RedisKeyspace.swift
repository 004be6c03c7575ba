import RedisClient

/// The names of the keys a ``RedisTokenStore`` uses, per DESIGN.md's layout: `<prefix>{u:<uid>}:…`.
///
/// The user id is encoded by ``RedisKeyComponent``, so no user id can close the hash tag or add a key
/// segment, and the permission store's keys of the same user share the tag. Session ids and jtis
/// come after the tag and a fixed segment name, so whatever they contain cannot change the slot or collide
/// with another kind of key.
struct RedisKeyspace: Sendable {
    let prefix: String

    /// `<prefix>{u:<encoded uid>}:`, the start of every key of one user.
    func userBase(_ userID: String) -> String {
        "\(prefix){u:\(RedisKeyComponent.encode(userID))}:"
    }

    func revoked(_ userID: String, jti: String) -> RedisArgument {
        RedisArgument(Array((userBase(userID) + "revoked:").utf8) + Array(jti.utf8))
    }

    func epoch(_ userID: String) -> RedisArgument {
        RedisArgument(userBase(userID) + "epoch")
    }

    func sessions(_ userID: String) -> RedisArgument {
        RedisArgument(userBase(userID) + "sessions")
    }

    func sessionPrefix(_ userID: String) -> String {
        userBase(userID) + "session:"
    }

    func session(_ userID: String, _ sessionID: String) -> RedisArgument {
        RedisArgument(Array(sessionPrefix(userID).utf8) + Array(sessionID.utf8))
    }
}
