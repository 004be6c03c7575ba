import RedisClient

/// The nodes of a Redis Cluster as one node's `CLUSTER NODES` lists them: `<id> <ip:port@cport[,hostname]> <flags>
/// <primary> <ping-sent> <pong-received> <config-epoch> <link-state> <slot>…`, one node per line.
struct ClusterNodeList: Equatable, Sendable {
    struct Node: Equatable, Sendable {
        let id: String
        let host: String
        let port: Int
        let flags: Set<String>
    }

    let nodes: [Node]

    /// Reads the reply's text; a line of another shape is an error, never a node guessed at.
    init(_ text: String) throws(RedisError) {
        var nodes: [Node] = []
        for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 8, let address = fields[1].split(separator: "@").first,
                let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...])
            else {
                throw RedisError(.protocol, "CLUSTER NODES gave a line that is not a node: \(line.prefix(200))")
            }
            var host = String(address[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") {
                host = String(host.dropFirst().dropLast())
            }
            nodes.append(
                Node(
                    id: String(fields[0]),
                    host: host,
                    port: port,
                    flags: Set(fields[2].split(separator: ",").map(String.init))
                )
            )
        }
        guard !nodes.isEmpty else {
            throw RedisError(.protocol, "CLUSTER NODES listed no node")
        }
        self.nodes = nodes
    }

    /// The nodes that may run a command: every one but those the cluster has marked failed (`fail`, not the
    /// suspicion `fail?`), those still in the handshake, and those without an address.
    var live: [Node] {
        nodes.filter { $0.flags.isDisjoint(with: ["fail", "handshake", "noaddr"]) && $0.port > 0 }
    }
}
