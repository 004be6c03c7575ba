/// Cryptographically secure random bytes for key material, token ids and refresh-token secrets.
///
/// Drawn from `SystemRandomNumberGenerator`, which is the operating system's CSPRNG on every platform Swift
/// supports (`getrandom` on Linux, `arc4random_buf` on Darwin) and cannot fail once the system is running;
/// OpenSSL seeds its own generator from the same source.
package enum SecureRandom {
    /// `count` random bytes.
    package static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var output = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            for _ in 0..<min(8, count - index) {
                output[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return output
    }
}
