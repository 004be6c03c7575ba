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
        guard case .array(let items) = reply else {
            throw DecodeError(reason: "the feed's entries came as \(reply)")
        }
        var entries: [Entry] = []
        entries.reserveCapacity(items.count)
        for item in items {
            guard case .array(let parts) = item, parts.count == 2, case .bulk(let id) = parts[0],
                case .array(let values) = parts[1]
            else {
                throw DecodeError(reason: "an entry of the feed has an unexpected shape")
            }
            let text = String(decoding: id, as: UTF8.self)
            entries.append(Entry(id: text, entry: try entry(id: text, values: values)))
        }
        return entries
    }

    /// The entry `id` whose fields and values, in turn, are `values`. Read field by field, with no table in between:
    /// a rebuild reads a million of them.
    static func entry(id: String, values: [RedisReply]) throws(DecodeError) -> RevocationFeedEntry {
        guard values.count % 2 == 0, values.count <= 32 else {
            throw DecodeError(reason: "entry \(id) has an unreadable field count")
        }
        var fields = Fields()
        for index in stride(from: 0, to: values.count, by: 2) {
            guard case .bulk(let name) = values[index], case .bulk(let value) = values[index + 1] else {
                throw DecodeError(reason: "entry \(id) has a field that is not a string")
            }
            if name.count == 1 {
                fields.set(name[0], value)
            }
        }
        func text(_ value: [UInt8]?, _ name: String) throws(DecodeError) -> String {
            guard let value, !value.isEmpty else {
                throw DecodeError(reason: "entry \(id) has no field \(name)")
            }
            return String(decoding: value, as: UTF8.self)
        }
        func instant(_ value: [UInt8]?, _ name: String) throws(DecodeError) -> UnixTime {
            guard let value, let milliseconds = Self.integer(value) else {
                throw DecodeError(reason: "entry \(id) has no readable \(name)")
            }
            return UnixTime(sinceEpoch: .milliseconds(milliseconds))
        }
        switch fields.kind {
        case [UInt8(ascii: "r")]:
            return .revoked(
                userID: try text(fields.u, "u"),
                jti: try text(fields.j, "j"),
                until: try instant(fields.x, "x")
            )
        case [UInt8(ascii: "e")]:
            return .epoch(
                userID: try text(fields.u, "u"),
                epoch: AccessRecords.EpochRecord(
                    cutoff: try instant(fields.a, "a"),
                    retainedUntil: try instant(fields.x, "x")
                )
            )
        case [UInt8(ascii: "s")]:
            return .sessionEnded(
                userID: try text(fields.u, "u"),
                sessionID: try text(fields.s, "s"),
                at: try instant(fields.t, "t")
            )
        case [UInt8(ascii: "b")]:
            return .began(at: try instant(fields.t, "t"))
        default:
            throw DecodeError(reason: "entry \(id) is of an unknown kind")
        }
    }

    /// The one-letter fields of an entry; a later duplicate replaces an earlier one, as a stream's fields would be read
    /// into a table.
    private struct Fields {
        var kind: [UInt8]?
        var u: [UInt8]?
        var j: [UInt8]?
        var s: [UInt8]?
        var x: [UInt8]?
        var a: [UInt8]?
        var t: [UInt8]?

        mutating func set(_ name: UInt8, _ value: [UInt8]) {
            switch name {
            case UInt8(ascii: "k"): kind = value
            case UInt8(ascii: "u"): u = value
            case UInt8(ascii: "j"): j = value
            case UInt8(ascii: "s"): s = value
            case UInt8(ascii: "x"): x = value
            case UInt8(ascii: "a"): a = value
            case UInt8(ascii: "t"): t = value
            default: break
            }
        }
    }

    /// An optional `-` and 1 to 18 ASCII digits, as the scripts write instants; nil for anything else.
    static func integer(_ bytes: [UInt8]) -> Int64? {
        var digits = bytes[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return negative ? -value : value
    }
}
