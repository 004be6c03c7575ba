/// Reading what Sentinels and servers say about roles: pure functions over replies and messages.
enum SentinelReplies {
    /// The address in a `SENTINEL GET-MASTER-ADDR-BY-NAME` reply (`[host, port]`), or `nil` for a null reply (the
    /// Sentinel does not monitor that name) or any other shape.
    static func primaryAddress(_ reply: RedisReply) -> RedisNodeAddress? {
        guard let parts = reply.array, parts.count == 2, let host = parts[0].string, !host.isEmpty,
            let port = parts[1].integer, (1...65535).contains(port)
        else { return nil }
        return RedisNodeAddress(host: host, port: Int(port))
    }

    /// Whether a `ROLE` reply says `master`.
    static func isPrimary(_ reply: RedisReply) -> Bool {
        reply.array?.first?.string == "master"
    }

    /// The old and the new primary in a `+switch-master` message (`<name> <old-ip> <old-port> <new-ip>
    /// <new-port>`), when the message is about `primaryName`.
    static func switchedPrimary(
        _ payload: String,
        primaryName: String
    ) -> (old: RedisNodeAddress, new: RedisNodeAddress)? {
        let words = payload.split(separator: " ")
        guard words.count == 5, words[0] == primaryName, let old = address(words[1], words[2]),
            let new = address(words[3], words[4])
        else { return nil }
        return (old, new)
    }

    /// The primary a Sentinel's failover event is about, when it is `primaryName`: `+selected-slave` names it after
    /// the replica (`slave <name> <ip> <port> @ <primary-name> <ip> <port>`), `-failover-abort-…` alone
    /// (`master <primary-name> <ip> <port>`).
    static func failoverPrimary(_ payload: String, primaryName: String) -> RedisNodeAddress? {
        let words = payload.split(separator: " ")
        if words.count == 8, words[0] == "slave", words[4] == "@", words[5] == primaryName {
            return address(words[6], words[7])
        }
        if words.count == 4, words[0] == "master", words[1] == primaryName {
            return address(words[2], words[3])
        }
        return nil
    }

    private static func address(_ host: Substring, _ port: Substring) -> RedisNodeAddress? {
        guard !host.isEmpty, let number = Int(port), (1...65535).contains(number) else { return nil }
        return RedisNodeAddress(host: String(host), port: number)
    }
}
