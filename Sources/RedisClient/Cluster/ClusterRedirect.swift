/// What a cluster node's error reply asks the client to do instead of failing the command.
enum ClusterRedirect: Equatable, Sendable {
    /// `MOVED slot host:port`: the slot lives on another primary for good; update the map and retry there.
    case moved(slot: Int, to: RedisNodeAddress)
    /// `ASK slot host:port`: this one key is being imported by another primary; retry once there after `ASKING`.
    case ask(slot: Int, to: RedisNodeAddress)
    /// `TRYAGAIN`: a multi-key command met a slot half migrated; retry shortly on the same node.
    case tryAgain
    /// `CLUSTERDOWN`: the cluster does not serve the slot right now (a failover in progress); refresh and retry.
    case clusterDown
    /// `LOADING`: the node is loading its data set after a restart; retry shortly.
    case loading

    /// Reads an error reply; `nil` for any error that is the command's own (`WRONGTYPE`, `NOSCRIPT`, `ERR …`).
    ///
    /// A redirection whose endpoint has no host (`MOVED 3999 :6381`, sent by a node that does not know its own
    /// address) points at `answeringHost`, the host of the node that replied. IPv6 hosts come without brackets.
    init?(errorMessage message: String, answeringHost: String) {
        let words = message.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true)
        guard let kind = words.first else { return nil }
        switch kind {
        case "MOVED", "ASK":
            guard words.count >= 3, let slot = Int(words[1]), (0..<HashSlot.count).contains(slot),
                let colon = words[2].lastIndex(of: ":"), let port = Int(words[2][words[2].index(after: colon)...]),
                (1...65535).contains(port)
            else { return nil }
            var host = String(words[2][..<colon])
            if host.hasPrefix("[") && host.hasSuffix("]") {
                host = String(host.dropFirst().dropLast())
            }
            if host.isEmpty || host == "?" {
                host = answeringHost
            }
            let node = RedisNodeAddress(host: host, port: port)
            self = kind == "MOVED" ? .moved(slot: slot, to: node) : .ask(slot: slot, to: node)
        case "TRYAGAIN":
            self = .tryAgain
        case "CLUSTERDOWN":
            self = .clusterDown
        case "LOADING":
            self = .loading
        default:
            return nil
        }
    }
}
