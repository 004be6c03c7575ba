import AuthKitClock
import TokenStore

/// Reads the entries of a poll's reply (``RedisRevocationFeedScripts/poll``): `<length>:<bytes>` values, each entry
/// its id, its number of fields and values, then those.
///
/// Every entry kind is written by `RedisTokenStoreScripts` (fields `k` kind, `u` user, `j` jti, `s` session, `x`
/// until, `a` epoch cut-off, `t` time) or by the poll itself (`k b`); anything else — an unknown kind, a missing or
/// unparsable field, a truncated value — is ``DecodeError``, never a guess.
struct RevocationFeedDecoder {
    struct DecodeError: Error, Equatable {
        let reason: String
    }

    /// One entry as read: its stream id and what it says.
    struct Entry: Equatable {
        let id: String
        let entry: RevocationFeedEntry
    }

    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Every entry of the reply, in order.
    static func entries(_ bytes: [UInt8]) throws(DecodeError) -> [Entry] {
        var decoder = RevocationFeedDecoder(bytes)
        var entries: [Entry] = []
        while decoder.offset < bytes.count {
            entries.append(try decoder.next())
        }
        return entries
    }

    private mutating func next() throws(DecodeError) -> Entry {
        let id = try string()
        guard let count = Int(try string()), count >= 0, count % 2 == 0, count <= 32 else {
            throw DecodeError(reason: "entry \(id) has an unreadable field count")
        }
        var fields: [String: String] = [:]
        for _ in 0..<(count / 2) {
            let name = try string()
            fields[name] = try string()
        }
        return Entry(id: id, entry: try Self.entry(fields, id: id))
    }

    private static func entry(_ fields: [String: String], id: String) throws(DecodeError) -> RevocationFeedEntry {
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

    private mutating func string() throws(DecodeError) -> String {
        var length = 0
        var digits = 0
        while offset < bytes.count, bytes[offset] != UInt8(ascii: ":") {
            let digit = Int(bytes[offset]) - Int(UInt8(ascii: "0"))
            guard digit >= 0, digit <= 9, digits < 9 else {
                throw DecodeError(reason: "a length at byte \(offset) is unreadable")
            }
            length = length * 10 + digit
            digits += 1
            offset += 1
        }
        guard digits > 0, offset < bytes.count, bytes.count - offset - 1 >= length else {
            throw DecodeError(reason: "the reply ends inside a value")
        }
        let start = offset + 1
        offset = start + length
        return String(decoding: bytes[start..<offset], as: UTF8.self)
    }
}
