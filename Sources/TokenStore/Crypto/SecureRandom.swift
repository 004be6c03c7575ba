/// Random bytes for refresh-token secrets and session ids, from the operating system's CSPRNG.
///
/// `SystemRandomNumberGenerator` is documented as cryptographically secure: it reads `getrandom(2)` on Linux,
/// `arc4random_buf` on Apple platforms and `BCryptGenRandom` on Windows, so no C library is needed here.
enum SecureRandom {
    /// `count` bytes from the system CSPRNG.
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var output = [UInt8]()
        output.reserveCapacity(count + 7)
        while output.count < count {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) {
                output.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        output.removeLast(output.count - count)
        return output
    }
}
