import AuthKitClock
import RedisClient
import TokenStore

/// Reads the access check's records (`AccessRecords`) out of Redis replies, from either layout the store keeps: the
/// check's own string keys (`epoch-cut`, `live:<sid>`, read with one `MGET`) and the full records (the epoch and
/// session hashes, read by the check script and the full-record reads).
///
/// Every value is read strictly, as the scripts write it: an instant is a decimal integer of milliseconds (an
/// optional `-`, then 1 to 18 digits, nothing around them), and a check key holds two instants separated by one
/// space. A value that is anything else, or a record with a part missing, is `corruptRecord`: the check fails
/// closed rather than guess. The check script's touch guard (`honoured`) reads values by the same grammar.
enum RedisAccessRecords {
    /// The most digits an instant may have: enough for any millisecond count of the next 30 million years, and few
    /// enough that the value fits an `Int64` (and a Lua number) exactly.
    static let maxDigits = 18

    /// `bytes` read as an instant in milliseconds, or nil when they are not one.
    static func instant<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> UnixTime? {
        var digits = bytes[...]
        let negative = digits.first == UInt8(ascii: "-")
        if negative {
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= maxDigits else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return UnixTime(sinceEpoch: .milliseconds(negative ? -value : value))
    }

    /// The end of a denylist entry from the reply to its `GET` (or its place in an `MGET`): nil when there is none.
    static func revokedUntil(_ reply: RedisReply) throws(TokenStoreError) -> UnixTime? {
        guard let bytes = try value(reply, "the denylist entry") else { return nil }
        guard let until = instant(bytes) else { throw corrupt("the denylist entry") }
        return until
    }

    /// The epoch from its check key (`<at> <until>`): nil when there is none.
    static func epoch(key reply: RedisReply) throws(TokenStoreError) -> AccessRecords.EpochRecord? {
        guard let bytes = try value(reply, "the user's epoch") else { return nil }
        guard let (at, until) = pair(bytes) else { throw corrupt("the user's epoch") }
        return AccessRecords.EpochRecord(cutoff: at, retainedUntil: until)
    }

    /// The session from its check key (`<exp> <created>`): nil when there is none.
    static func session(key reply: RedisReply) throws(TokenStoreError) -> AccessRecords.SessionRecord? {
        guard let bytes = try value(reply, "the session") else { return nil }
        guard let (expires, created) = pair(bytes) else { throw corrupt("the session") }
        return AccessRecords.SessionRecord(createdAt: created, expiresAt: expires)
    }

    /// The epoch from its hash's fields `at`, `until`: nil when neither is there.
    static func epoch(fields: [RedisReply]) throws(TokenStoreError) -> AccessRecords.EpochRecord? {
        guard fields.count == 2 else { throw corrupt("the user's epoch") }
        let at = try value(fields[0], "the user's epoch")
        let until = try value(fields[1], "the user's epoch")
        if at == nil && until == nil {
            return nil
        }
        guard let cutoff = at.flatMap(instant), let retainedUntil = until.flatMap(instant) else {
            throw corrupt("the user's epoch")
        }
        return AccessRecords.EpochRecord(cutoff: cutoff, retainedUntil: retainedUntil)
    }

    /// The session from its hash's fields `exp`, `reuse`, `created`: nil when none is there. `reuse` is absent, or
    /// `1` on a reuse tombstone.
    static func session(fields: [RedisReply]) throws(TokenStoreError) -> AccessRecords.SessionRecord? {
        guard fields.count == 3 else { throw corrupt("the session") }
        let expires = try value(fields[0], "the session")
        let reuse = try value(fields[1], "the session")
        let created = try value(fields[2], "the session")
        if expires == nil && reuse == nil && created == nil {
            return nil
        }
        guard let expiresAt = expires.flatMap(instant), let createdAt = created.flatMap(instant),
            reuse == nil || reuse == [UInt8(ascii: "1")]
        else {
            throw corrupt("the session")
        }
        return AccessRecords.SessionRecord(createdAt: createdAt, expiresAt: expiresAt, revokedForReuse: reuse != nil)
    }

    static func corrupt(_ what: String) -> TokenStoreError {
        TokenStoreError(.corruptRecord, "Redis holds \(what) in a form AuthKit does not write")
    }

    /// A bulk reply's bytes, nil for a missing value; any other reply is corrupt.
    private static func value(_ reply: RedisReply, _ what: String) throws(TokenStoreError) -> [UInt8]? {
        switch reply {
        case .null: return nil
        case .bulk(let bytes): return bytes
        default: throw corrupt(what)
        }
    }

    /// Two instants separated by one space.
    private static func pair(_ bytes: [UInt8]) -> (UnixTime, UnixTime)? {
        guard let space = bytes.firstIndex(of: UInt8(ascii: " ")),
            let first = instant(bytes[..<space]),
            let second = instant(bytes[(space + 1)...])
        else {
            return nil
        }
        return (first, second)
    }
}
