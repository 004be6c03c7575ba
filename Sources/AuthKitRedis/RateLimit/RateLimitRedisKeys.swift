/// Key names for rate-limit state: `<prefix>rl:{<encoded limiter key>}`, one hash per limiter key.
///
/// The whole limiter key is the hash tag, so all of a key's policies live on one cluster slot and one script
/// decides them together.
enum RateLimitRedisKeys {
    /// The hash holding every policy's state for `limiterKey`.
    static func state(prefix: String, limiterKey: String) -> String {
        "\(prefix)rl:{\(encode(limiterKey))}"
    }

    /// Percent-encodes every byte outside `[A-Za-z0-9._@-]`, so that no key can close the hash tag (`}`), add a
    /// key segment (`:`) or smuggle bytes above 0x7f; distinct inputs stay distinct because `%` is encoded too.
    static func encode(_ component: String) -> String {
        var encoded = ""
        encoded.reserveCapacity(component.utf8.count)
        for byte in component.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"),
                UInt8(ascii: "@"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                encoded.unicodeScalars.append("%")
                encoded.unicodeScalars.append(hex[Int(byte >> 4)])
                encoded.unicodeScalars.append(hex[Int(byte & 0x0F)])
            }
        }
        return encoded
    }
}
