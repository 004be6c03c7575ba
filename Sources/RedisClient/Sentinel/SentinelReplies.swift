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

    /// The new primary in a `+switch-master` message (`<name> <old-ip> <old-port> <new-ip> <new-port>`), when the
    /// message is about `primaryName`.
    static func switchedPrimary(_ payload: String, primaryName: String) -> RedisNodeAddress? {
        let words = payload.split(separator: " ")
        guard words.count == 5, words[0] == primaryName, let port = Int(words[4]), (1...65535).contains(port) else {
            return nil
        }
        return RedisNodeAddress(host: String(words[3]), port: port)
    }
}
