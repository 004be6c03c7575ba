/// Garbage tokens of 8 KiB (the default size cap, so every one gets past the size check), one per shape an
/// attacker can cheaply send, to measure how fast each is refused.
public enum HostileTokens {
    /// The size of every token: exactly the default `maxTokenSize`.
    public static let size = 8192

    /// Every shape, by name.
    public static let all: [(name: String, token: String)] = [
        ("no-dots", noDots),
        ("three-junk-segments", threeJunkSegments),
        ("valid-header-junk", validHeaderJunk),
        ("deep-json", deepJSON),
        ("huge-numbers", hugeNumbers),
    ]

    /// 8 KiB of base64url characters without a dot.
    public static let noDots = String(junk(count: size))

    /// Three segments of base64url junk.
    public static let threeJunkSegments: String = {
        let third = size / 3
        return junk(count: third) + "." + junk(count: third) + "." + junk(count: size - 2 * third - 2)
    }()

    /// A valid HS256 header, then a payload of junk that starts like JSON (`eyJ` is `{"`), and a signature of
    /// the right length.
    public static let validHeaderJunk: String = {
        let header = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let signature = String(junk(count: 43))
        let payloadCount = size - header.count - signature.count - 2
        return header + "." + "eyJ" + junk(count: payloadCount - 3) + "." + signature
    }()

    /// A header that nests objects far deeper than any policy allows.
    public static let deepJSON: String = {
        let signature = String(junk(count: 43))
        let payload = base64URL(Array(#"{"sub":"x"}"#.utf8))
        let budget = (size - signature.count - payload.count - 2) / 4 * 3
        var json = Array(#"{"alg":"HS256","#.utf8)
        while json.count + 5 + 2 < budget { json += Array(#""a":{"#.utf8) }
        return fitted(base64URL(json), payload: payload, signature: signature)
    }()

    /// A header with one number of thousands of digits (and a huge exponent).
    public static let hugeNumbers: String = {
        let signature = String(junk(count: 43))
        let payload = base64URL(Array(#"{"sub":"x"}"#.utf8))
        let budget = (size - signature.count - payload.count - 2) / 4 * 3
        var json = Array(#"{"alg":"HS256","n":"#.utf8)
        let tail = Array("e99999}".utf8)
        while json.count + tail.count < budget { json.append(UInt8(ascii: "9")) }
        return fitted(base64URL(json + tail), payload: payload, signature: signature)
    }()

    private static func fitted(_ header: String, payload: String, signature: String) -> String {
        let token = header + "." + payload + "." + signature
        return token.count > size ? String(token.prefix(size)) : token
    }

    /// Deterministic base64url junk (a linear congruential generator: the same bytes on every run).
    private static func junk(count: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for _ in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes.append(alphabet[Int(state >> 58)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Unpadded base64url.
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((value >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var value = UInt32(bytes[index]) << 16
            if rest == 2 { value |= UInt32(bytes[index + 1]) << 8 }
            let shifts = rest == 1 ? [18, 12] : [18, 12, 6]
            for shift in shifts { out.append(alphabet[Int((value >> UInt32(shift)) & 63)]) }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
