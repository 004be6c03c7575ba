import AuthKitClock
import RedisClient
import TokenStore

/// Reads the entries of the revocation feed as `XRANGE` returns them: each its id and its fields and values.
///
/// Every entry kind is written by `RedisTokenStoreScripts` (fields `k` kind, `u` user, `j` jti, `s` session, `x`
/// until, `a` epoch cut-off, `t` time) or by a mirror beginning the feed (`k b`); anything else — an unknown kind, a
/// missing or unparsable field, a reply of another shape — is ``DecodeError``, never a guess.
enum RevocationFeedDecoder {
    struct DecodeError: Error, Equatable {
        let reason: String
    }

    /// One entry as read: its stream id and what it says.
    struct Entry: Equatable {
        let id: String
        let entry: RevocationFeedEntry
    }

    /// Every entry of an `XRANGE` reply, in order.
    static func entries(_ reply: RedisReply) throws(DecodeError) -> [Entry] {
        guard let items = reply.array else {
            throw DecodeError(reason: "the feed's entries came as \(reply)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(items.count)
        for item in items {
            guard let parts = item.array, parts.count == 2, let id = parts[0].string, let values = parts[1].array else {
                throw DecodeError(reason: "an entry of the feed has an unexpected shape")
            }
            entries.append(Entry(id: id, entry: try entry(id: id, values: values.map(\.bytes))))
        }
        return entries
    }

    /// The entry `id` whose fields and values, in turn, are `values`.
    static func entry(id: String, values: [[UInt8]?]) throws(DecodeError) -> RevocationFeedEntry {
        guard values.count % 2 == 0, values.count <= 32 else {
            throw DecodeError(reason: "entry \(id) has an unreadable field count")
        }
        var fields: [String: String] = [:]
        for index in stride(from: 0, to: values.count, by: 2) {
            guard let name = values[index], let value = values[index + 1] else {
                throw DecodeError(reason: "entry \(id) has a field that is not a string")
            }
            fields[String(decoding: name, as: UTF8.self)] = String(decoding: value, as: UTF8.self)
        }
        func text(_ name: String) throws(DecodeError) -> String {
            guard let value = fields[name], !value.isEmpty else {
                throw DecodeError(reason: "entry \(id) has no field \(name)")
            }
            return value
        }
        func instant(_ name: String) throws(DecodeError) -> UnixTime {
            guard let milliseconds = Int64(try text(name)) else {
                throw DecodeError(reason: "entry \(id) has an unreadable \(name)")
            }
            return UnixTime(sinceEpoch: .milliseconds(milliseconds))
        }
        switch fields["k"] {
        case "r":
            return .revoked(userID: try text("u"), jti: try text("j"), until: try instant("x"))
        case "e":
            return .epoch(
                userID: try text("u"),
                epoch: AccessRecords.EpochRecord(cutoff: try instant("a"), retainedUntil: try instant("x"))
            )
        case "s":
            return .sessionEnded(userID: try text("u"), sessionID: try text("s"), at: try instant("t"))
        case "b":
            return .began(at: try instant("t"))
        default:
            throw DecodeError(reason: "entry \(id) is of an unknown kind")
        }
    }
}
