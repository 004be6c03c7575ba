import Foundation

extension RedisProcess {
    /// Holds every write on the primary at `primary` (`CLIENT PAUSE … WRITE`: reads go on, writes and scripts
    /// wait unanswered) and returns once the replica at `replica` has applied the primary's whole replication
    /// stream, so that a crash of the primary from then on loses no write it acknowledged.
    ///
    /// Replication is asynchronous: a primary killed at an arbitrary moment takes with it the writes its replica
    /// had not applied yet — on a loaded machine far more than the last moment's writes (a failover test here,
    /// killing at an arbitrary moment, once lost the sessions of every worker on the killed primary). That loss is
    /// Redis's, documented in Operations.md; the failover tests kill a primary through this so they test what the
    /// client does, with every acknowledged write still expected to survive. The pause ends when the primary dies,
    /// or after `pause` at the latest.
    /// - Throws: ``RedisTestServerError`` when redis-cli fails or the replica does not catch up within `timeout`
    ///   of checks.
    static func pauseWritesUntilReplicated(
        cli: String,
        primary: Int,
        replica: Int,
        pause: Duration = .seconds(60),
        timeout: Duration = .seconds(30)
    ) async throws {
        let pauseMilliseconds = Int(pause / .milliseconds(1))
        try await run(cli, ["-h", "127.0.0.1", "-p", "\(primary)", "client", "pause", "\(pauseMilliseconds)", "write"])
        var offsets = (primary: -1, replica: -1)
        let caughtUp = try await poll(every: .milliseconds(10), upTo: timeout) {
            // The primary's offset first: while writes are paused it no longer moves (no writes, no expiries, no
            // pings to replicas), and the replica has applied everything once its offset reaches it.
            offsets.primary = try await replicationOffset(cli: cli, port: primary, field: "master_repl_offset")
            offsets.replica = try await replicationOffset(cli: cli, port: replica, field: "slave_repl_offset")
            return offsets.primary >= 0 && offsets.replica >= offsets.primary
        }
        guard caughtUp else {
            throw RedisTestServerError(
                "the replica on port \(replica) did not catch up with the primary on port \(primary) within "
                    + "\(timeout) of checks: offsets \(offsets.replica) of \(offsets.primary)"
            )
        }
    }

    /// The number `field` of `INFO replication` on `port` (`master_repl_offset` on a primary: the stream it has
    /// produced; `slave_repl_offset` on a replica: the stream it has applied), or -1 when it is not reported.
    private static func replicationOffset(cli: String, port: Int, field: String) async throws -> Int {
        let info = try await run(
            cli,
            ["-h", "127.0.0.1", "-p", "\(port)", "info", "replication"],
            timeout: .seconds(20)
        )
        for line in info.split(whereSeparator: \.isNewline) where line.hasPrefix("\(field):") {
            return Int(line.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces)) ?? -1
        }
        return -1
    }
}
