/// Canonical base64url (RFC 4648 §5) without padding, as JWS requires (RFC 7515 §2).
///
/// Decoding is strict: padding, characters outside the alphabet, a length of 1 modulo 4 and non-zero
/// trailing bits are all rejected, so every byte string has exactly one accepted encoding.
package enum Base64URL {
    @usableFromInline
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// 0xFF marks a byte outside the alphabet.
    @usableFromInline
    static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        return table
    }()

    /// The number of characters the unpadded encoding of `count` bytes takes.
    @inlinable
    package static func encodedLength(of count: Int) -> Int {
        (count / 3) * 4 + [0, 2, 3][count % 3]
    }

    /// Encodes `bytes` as unpadded base64url text.
    package static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output = [UInt8]()
        output.reserveCapacity(encodedLength(of: bytes.count))
        append(bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the unpadded base64url encoding of `bytes` to `output`.
    package static func append(_ bytes: some Collection<UInt8>, to output: inout [UInt8]) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            appendContiguous(UnsafeRawBufferPointer(buffer), to: &output)
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { appendContiguous($0, to: &output) }
        }
    }

    static func appendContiguous(_ input: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        let count = input.count
        let start = output.count
        let added = encodedLength(of: count)
        // Grow once, then write through a pointer: per-byte `append` costs a uniqueness check each time.
        output.append(contentsOf: repeatElement(0, count: added))
        output.withUnsafeMutableBufferPointer { destination in
            alphabet.withUnsafeBufferPointer { table in
                guard let out = destination.baseAddress?.advanced(by: start), let source = input.baseAddress,
                    let lookup = table.baseAddress
                else { return }
                let bytes = source.assumingMemoryBound(to: UInt8.self)
                var index = 0
                var position = 0
                while index + 3 <= count {
                    let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
                    out[position] = lookup[Int(value >> 18 & 0x3F)]
                    out[position + 1] = lookup[Int(value >> 12 & 0x3F)]
                    out[position + 2] = lookup[Int(value >> 6 & 0x3F)]
                    out[position + 3] = lookup[Int(value & 0x3F)]
                    index += 3
                    position += 4
                }
                switch count - index {
                case 1:
                    let value = UInt32(bytes[index]) << 16
                    out[position] = lookup[Int(value >> 18 & 0x3F)]
                    out[position + 1] = lookup[Int(value >> 12 & 0x3F)]
                case 2:
                    let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
                    out[position] = lookup[Int(value >> 18 & 0x3F)]
                    out[position + 1] = lookup[Int(value >> 12 & 0x3F)]
                    out[position + 2] = lookup[Int(value >> 6 & 0x3F)]
                default:
                    break
                }
            }
        }
    }

    /// Decodes canonical unpadded base64url text, or returns `nil` when it is not canonical.
    package static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var utf8 = String(text)
        return utf8.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes canonical unpadded base64url bytes, or returns `nil` when they are not canonical.
    package static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        var valid = true
        let output = [UInt8](unsafeUninitializedCapacity: input.count / 4 * 3 + 2) { buffer, initialized in
            let length = decode(input, into: UnsafeMutableRawBufferPointer(buffer))
            valid = length != nil
            initialized = length ?? 0
        }
        return valid ? output : nil
    }

    /// Decodes canonical unpadded base64url bytes into `output` and returns the decoded length, or `nil` when the
    /// input is not canonical or `output` is too small; for callers that decode into a buffer of their own.
    static func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        let count = input.count
        let remainder = count % 4
        if remainder == 1 { return nil }
        let length = count / 4 * 3 + (remainder == 0 ? 0 : remainder - 1)
        guard length <= output.count else { return nil }
        guard length > 0 else { return 0 }
        guard let source = input.baseAddress, let out = output.baseAddress else { return nil }
        let valid = decodeTable.withUnsafeBufferPointer { table in
            decode(
                source.assumingMemoryBound(to: UInt8.self),
                count,
                into: out.assumingMemoryBound(to: UInt8.self),
                table: table
            )
        }
        return valid ? length : nil
    }

    /// The decoding loop over raw pointers; `out` has room for exactly the decoded length.
    private static func decode(
        _ bytes: UnsafePointer<UInt8>,
        _ count: Int,
        into out: UnsafeMutablePointer<UInt8>,
        table: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard let lookup = table.baseAddress else { return false }
        var index = 0
        var position = 0
        while index + 4 <= count {
            let a = lookup[Int(bytes[index])]
            let b = lookup[Int(bytes[index + 1])]
            let c = lookup[Int(bytes[index + 2])]
            let d = lookup[Int(bytes[index + 3])]
            if (a | b | c | d) & 0xC0 != 0 { return false }
            let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
            out[position] = UInt8(truncatingIfNeeded: value >> 16)
            out[position + 1] = UInt8(truncatingIfNeeded: value >> 8)
            out[position + 2] = UInt8(truncatingIfNeeded: value)
            index += 4
            position += 3
        }
        switch count - index {
        case 2:
            let a = lookup[Int(bytes[index])]
            let b = lookup[Int(bytes[index + 1])]
            // The last character carries 4 bits that must be zero in the canonical encoding.
            if (a | b) & 0xC0 != 0 || b & 0x0F != 0 { return false }
            out[position] = a << 2 | b >> 4
        case 3:
            let a = lookup[Int(bytes[index])]
            let b = lookup[Int(bytes[index + 1])]
            let c = lookup[Int(bytes[index + 2])]
            if (a | b | c) & 0xC0 != 0 || c & 0x03 != 0 { return false }
            out[position] = a << 2 | b >> 4
            out[position + 1] = b << 4 | c >> 2
        default:
            break
        }
        return true
    }
}
