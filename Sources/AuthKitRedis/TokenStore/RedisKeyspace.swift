import RedisClient

/// The names of the keys a ``RedisTokenStore`` uses, per DESIGN.md's layout: `<prefix>{u:<uid>}:…`.
///
/// The user id is encoded by ``RedisKeyComponent``, so no user id can close the hash tag or add a key
/// segment, and the permission store's keys of the same user share the tag. Session ids and jtis
/// come after the tag and a fixed segment name, so whatever they contain cannot change the slot or collide
/// with another kind of key.
struct RedisKeyspace: Sendable {
    let prefix: String
    /// Whether the keys live on a cluster, where the revocation feed is one stream per slot (see ``feed(_:)``).
    var sharded = false

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

    /// The access check's copy of the epoch: a string `<at> <until>`, written with the epoch hash.
    func epochCut(_ userID: String) -> RedisArgument {
        RedisArgument(userBase(userID) + "epoch-cut")
    }

    /// The access check's copy of a live session: a string `<exp> <created>`, written with the session hash while it
    /// is alive and deleted when it ends. The scripts that walk a user's sessions derive it from the session key
    /// prefix (`liveKey` in `RedisTokenStoreScripts`), so its segment name and the session's must keep their lengths.
    func live(_ userID: String, _ sessionID: String) -> RedisArgument {
        RedisArgument(Array(livePrefix(userID).utf8) + Array(sessionID.utf8))
    }

    func livePrefix(_ userID: String) -> String {
        userBase(userID) + "live:"
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

    /// The revocation feed a script on `userID`'s keys appends to: `<prefix>feed` on one server; on a cluster, where
    /// a script reaches one slot only, the stream of the user's slot, `<prefix>feed:{<tag>}`, whose tag
    /// (`HashSlot.tags`) hashes to that slot.
    func feed(_ userID: String) -> RedisArgument {
        guard sharded else {
            return feed
        }
        return feed(slot: HashSlot.slot(of: userBase(userID).utf8))
    }

    /// The stream of a cluster's revocation feed in `slot`.
    func feed(slot: Int) -> RedisArgument {
        RedisArgument("\(feedChannel):{\(HashSlot.tags[slot])}")
    }

    /// The revocation feed of one server.
    var feed: RedisArgument {
        RedisArgument(feedChannel)
    }

    /// The channel on which a cluster's store scripts announce each stream they append to (`<prefix>feed`, the
    /// streams' names without their tags; see `RedisTokenStoreScripts`).
    var feedChannel: String {
        prefix + "feed"
    }
}
