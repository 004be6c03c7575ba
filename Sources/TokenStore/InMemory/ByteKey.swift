/// A dictionary key that compares strings by their UTF-8 bytes.
///
/// Swift's `String` equality is Unicode canonical equivalence, so "é" (U+00E9) and "e" + U+0301 would be one
/// key; Redis compares bytes, and two byte-distinct user ids must never share sessions or revocations.
struct ByteKey: Hashable {
    let bytes: [UInt8]

    init(_ string: String) {
        self.bytes = Array(string.utf8)
    }
}
