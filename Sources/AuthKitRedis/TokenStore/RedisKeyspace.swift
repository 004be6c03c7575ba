import RedisClient

/// The names of the keys a ``RedisTokenStore`` uses, per DESIGN.md's layout: `<prefix>{u:<uid>}:…`.
///
/// The user id is percent-encoded: every byte outside `A–Z a–z 0–9 - _ . ~ @ +` (so `{`, `}`, `:`, `%`,
/// NUL, spaces and every byte above 0x7f) becomes `%XX`. The encoding is injective, so two byte-distinct user
/// ids never share a key, and no user id can close the hash tag or add a key segment. Session ids and jtis
/// come after the tag and a fixed segment name, so whatever they contain cannot change the slot or collide
/// with another kind of key.
struct RedisKeyspace: Sendable {
    let prefix: String

    static func encodeUserID(_ userID: String) -> String {
        var output = ""
        for byte in userID.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"), UInt8(ascii: "@"), UInt8(ascii: "+"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let digits = Array("0123456789ABCDEF".unicodeScalars)
                output.unicodeScalars.append("%")
                output.unicodeScalars.append(digits[Int(byte >> 4)])
                output.unicodeScalars.append(digits[Int(byte & 0x0f)])
            }
        }
        return output
    }

    /// `<prefix>{u:<encoded uid>}:`, the start of every key of one user.
    func userBase(_ userID: String) -> String {
        "\(prefix){u:\(Self.encodeUserID(userID))}:"
    }

    func revoked(_ userID: String, jti: String) -> RedisArgument {
        RedisArgument(Array((userBase(userID) + "revoked:").utf8) + Array(jti.utf8))
    }

    func epoch(_ userID: String) -> RedisArgument {
        RedisArgument(userBase(userID) + "epoch")
    }

    func sessions(_ userID: String) -> RedisArgument {
        RedisArgument(userBase(userID) + "sessions")
    }

    func sessionPrefix(_ userID: String) -> String {
        userBase(userID) + "session:"
    }

    func session(_ userID: String, _ sessionID: String) -> RedisArgument {
        RedisArgument(Array(sessionPrefix(userID).utf8) + Array(sessionID.utf8))
    }
}
