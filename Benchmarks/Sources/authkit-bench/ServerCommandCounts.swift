import RedisClient

/// The commands a redis-server ran, by name, from `INFO commandstats`: read before and after a run, the difference
/// is what the run cost the server (the figure "Redis commands per `authenticate`").
struct ServerCommandCounts {
    /// Calls by command name (lower case, as Redis reports them), `info` left out: only the reads of these counts
    /// send it.
    var calls: [String: Int]
    /// Microseconds the server spent in each command (`usec`), by name; a script's time includes the commands it ran.
    var microseconds: [String: Int] = [:]

    /// The server's counts now; nil without a client or when they cannot be read (the run then reports none).
    static func read(_ client: RedisClient?) async -> ServerCommandCounts? {
        guard let client, let text = try? await client.send("INFO", "commandstats").string else { return nil }
        var calls: [String: Int] = [:]
        var microseconds: [String: Int] = [:]
        // Lines read `cmdstat_<name>:calls=<n>,usec=...`.
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_") {
            let entry = line.dropFirst("cmdstat_".count)
            guard let colon = entry.firstIndex(of: ":") else { continue }
            let name = String(entry[..<colon])
            let fields = entry[entry.index(after: colon)...].split(separator: ",")
            guard name != "info", let first = fields.first, first.hasPrefix("calls="),
                let count = Int(first.dropFirst("calls=".count))
            else {
                continue
            }
            calls[name] = count
            if fields.count > 1, fields[1].hasPrefix("usec="), let time = Int(fields[1].dropFirst("usec=".count)) {
                microseconds[name] = time
            }
        }
        return ServerCommandCounts(calls: calls, microseconds: microseconds)
    }

    /// The calls made since `earlier`, by name, without the commands that were not called.
    func since(_ earlier: ServerCommandCounts) -> [String: Int] {
        calls.reduce(into: [:]) { result, entry in
            let made = entry.value - (earlier.calls[entry.key] ?? 0)
            if made > 0 { result[entry.key] = made }
        }
    }

    /// `counts` as a JSON object, names in order.
    static func json(_ counts: [String: Int]) -> String {
        "{" + counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}"
    }
}
