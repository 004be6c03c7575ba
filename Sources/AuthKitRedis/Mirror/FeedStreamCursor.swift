import AuthKitClock
import RedisClient
import TokenStore

/// Where a mirror stands in one stream of the revocation feed, and how it reads the stream's next batch: the feed of
/// one server is one such stream, a cluster's is one per slot.
///
/// A read is one transaction (`MULTI`, `XINFO STREAM`, `XRANGE` after the position, `EXEC`), so the stream's count of
/// entries added and the entries read are of one instant. When the mirror has caught up, the entries added since
/// its last caught-up read must equal those it read since: a stream lost, replaced, rewound or trimmed past the
/// position fails that check, and the cursor starts again from the stream's beginning.
struct FeedStreamCursor: Sendable {
    /// The id of the last entry read; `0-0` before the first.
    private(set) var position = "0-0"
    /// The stream's entries-added count at the last read that found the cursor caught up, and the entries read since.
    private var baseline: Int64?
    private var readSinceBaseline: Int64 = 0

    /// What one read of a stream found.
    enum Reading {
        /// There is no such stream.
        case missing
        /// The stream's count of entries ever added, and the entries after the position.
        case read(added: Int64, entries: [RevocationFeedDecoder.Entry])
        /// The reply could not be read: the mirror does not know what the stream says.
        case unreadable(String)
    }

    /// Reads the stream from its beginning again.
    mutating func restart() {
        position = "0-0"
        baseline = nil
        readSinceBaseline = 0
    }

    /// The transaction that reads up to `batch` entries of the stream `key` after the position.
    func commands(_ key: RedisArgument, batch: Int) -> [[RedisArgument]] {
        [
            ["MULTI"], ["XINFO", "STREAM", key],
            ["XRANGE", key, RedisArgument("(" + position), "+", "COUNT", RedisArgument(batch)], ["EXEC"],
        ]
    }

    /// The cursor of a stream this mirror has just begun, where `id` is its `b` entry's id: the entry was applied
    /// already, and the stream held nothing before it.
    mutating func begun(at id: String) {
        position = id
        baseline = 1
        readSinceBaseline = 0
    }

    /// The command that begins the stream `key` with its `b` entry, which says when (`now`, the mirror's clock): from
    /// then on every store appends to it.
    static func beginning(_ key: RedisArgument, at now: UnixTime) -> [RedisArgument] {
        ["XADD", key, "*", "k", "b", "t", RedisArgument(now.milliseconds)]
    }

    /// The replies to ``commands(_:batch:)``, read.
    /// - Throws: `RedisError` when the transaction itself failed: the read says nothing of the stream.
    static func reading(_ replies: ArraySlice<RedisReply>) throws(RedisError) -> Reading {
        guard replies.count == 4, let results = replies.last?.array, results.count == 2 else {
            throw RedisError(.protocol, "the feed's transaction was answered with \(replies.last ?? .null)")
        }
        if let message = results[0].errorMessage {
            guard message.contains("no such key") else {
                throw RedisError(.server, message)
            }
            return .missing
        }
        guard let added = entriesAdded(results[0]) else {
            return .unreadable("XINFO STREAM gave no entries-added")
        }
        do {
            return .read(added: added, entries: try RevocationFeedDecoder.entries(results[1]))
        } catch {
            return .unreadable(error.reason)
        }
    }

    /// Applies `entries`, read after `readFrom` up to `batch` of them, from a stream that had `added` entries then,
    /// to `mirror`.
    /// - Returns: ``RedisRevocationMirror/PollResult/caughtUp`` when the cursor has read every entry and the count
    ///   holds (the caller may then prove the mirror), `behind` when more entries wait or another read moved the
    ///   cursor meanwhile, `diverged` when the stream no longer holds what was read: the cursor then starts again
    ///   and the mirror loses its proof.
    mutating func apply(
        _ entries: [RevocationFeedDecoder.Entry],
        added: Int64,
        readFrom: String,
        batch: Int,
        to mirror: inout RevocationMirrorState
    ) -> RedisRevocationMirror.PollResult {
        guard position == readFrom else {
            return .behind  // another read moved on meanwhile: this one's entries are already applied
        }
        if readFrom == "0-0", entries.first.map({ if case .began = $0.entry { false } else { true } }) ?? true {
            // Read from its start, the stream no longer holds its beginning: everything before what it holds was
            // trimmed, older than the feed's retention, so no revocation in it can still refuse a token.
            mirror.apply(.began(at: UnixTime(sinceEpoch: .zero)))
        }
        for entry in entries {
            mirror.apply(entry.entry)
        }
        if let last = entries.last {
            position = last.id
        }
        guard entries.count < batch else {
            readSinceBaseline += Int64(entries.count)
            return .behind
        }
        if let baseline, added != baseline + readSinceBaseline + Int64(entries.count) {
            restart()
            mirror.loseProof()
            return .diverged
        }
        baseline = added
        readSinceBaseline = 0
        return .caughtUp
    }

    /// The `entries-added` of an `XINFO STREAM` reply (a flat list of names and values).
    private static func entriesAdded(_ reply: RedisReply) -> Int64? {
        guard let items = reply.array else { return nil }
        for index in stride(from: 0, to: items.count - 1, by: 2) where items[index].string == "entries-added" {
            return items[index + 1].integer
        }
        return nil
    }
}
