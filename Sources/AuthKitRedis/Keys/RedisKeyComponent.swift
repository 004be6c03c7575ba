/// The one encoding of user ids and limiter keys inside Redis key names, shared by every store so that a
/// user's token, session and permission keys carry the same hash tag and land on the same cluster slot.
///
/// Every byte outside `A–Z a–z 0–9 - _ . ~ @ +` (so `{`, `}`, `:`, `%`, NUL, spaces and every byte above
/// 0x7f) becomes `%XX`. The encoding is injective (`%` itself is encoded), so two byte-distinct inputs never
/// share a key, and no input can close a hash tag or add a key segment.
enum RedisKeyComponent {
    static func encode(_ component: String) -> String {
        var output = ""
        output.reserveCapacity(component.utf8.count)
        for byte in component.utf8 {
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
}
