/// Canonical base64url (RFC 4648 §5) without padding, as JWS requires (RFC 7515 §2).
///
/// Decoding is strict: padding, characters outside the alphabet, a length of 1 modulo 4 and non-zero
/// trailing bits are all rejected, so every byte string has exactly one accepted encoding.
public enum Base64URL {
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
    public static func encodedLength(of count: Int) -> Int {
        (count / 3) * 4 + [0, 2, 3][count % 3]
    }

    /// Encodes `bytes` as unpadded base64url text.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        var output = [UInt8]()
        output.reserveCapacity(encodedLength(of: bytes.count))
        append(bytes, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// Appends the unpadded base64url encoding of `bytes` to `output`.
    public static func append(_ bytes: some Collection<UInt8>, to output: inout [UInt8]) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            appendContiguous(UnsafeRawBufferPointer(buffer), to: &output)
        }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { appendContiguous($0, to: &output) }
        }
    }

    static func appendContiguous(_ input: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        alphabet.withUnsafeBufferPointer { table in
            var index = 0
            let count = input.count
            while index + 3 <= count {
                let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                output.append(table[Int(value >> 18 & 0x3F)])
                output.append(table[Int(value >> 12 & 0x3F)])
                output.append(table[Int(value >> 6 & 0x3F)])
                output.append(table[Int(value & 0x3F)])
                index += 3
            }
            switch count - index {
            case 1:
                let value = UInt32(input[index]) << 16
                output.append(table[Int(value >> 18 & 0x3F)])
                output.append(table[Int(value >> 12 & 0x3F)])
            case 2:
                let value = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
                output.append(table[Int(value >> 18 & 0x3F)])
                output.append(table[Int(value >> 12 & 0x3F)])
                output.append(table[Int(value >> 6 & 0x3F)])
            default:
                break
            }
        }
    }

    /// Decodes canonical unpadded base64url text, or returns `nil` when it is not canonical.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var utf8 = String(text)
        return utf8.withUTF8 { decode(UnsafeRawBufferPointer($0)) }
    }

    /// Decodes canonical unpadded base64url bytes, or returns `nil` when they are not canonical.
    public static func decode(_ input: UnsafeRawBufferPointer) -> [UInt8]? {
        let count = input.count
        let remainder = count % 4
        if remainder == 1 { return nil }
        var output = [UInt8]()
        output.reserveCapacity(count / 4 * 3 + 2)
        let valid = decodeTable.withUnsafeBufferPointer { table -> Bool in
            var index = 0
            while index + 4 <= count {
                let a = table[Int(input[index])]
                let b = table[Int(input[index + 1])]
                let c = table[Int(input[index + 2])]
                let d = table[Int(input[index + 3])]
                if (a | b | c | d) & 0xC0 != 0 { return false }
                let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                output.append(UInt8(truncatingIfNeeded: value >> 16))
                output.append(UInt8(truncatingIfNeeded: value >> 8))
                output.append(UInt8(truncatingIfNeeded: value))
                index += 4
            }
            switch remainder {
            case 2:
                let a = table[Int(input[index])]
                let b = table[Int(input[index + 1])]
                // The last character carries 4 bits that must be zero in the canonical encoding.
                if (a | b) & 0xC0 != 0 || b & 0x0F != 0 { return false }
                output.append(a << 2 | b >> 4)
            case 3:
                let a = table[Int(input[index])]
                let b = table[Int(input[index + 1])]
                let c = table[Int(input[index + 2])]
                if (a | b | c) & 0xC0 != 0 || c & 0x03 != 0 { return false }
                output.append(a << 2 | b >> 4)
                output.append(b << 4 | c >> 2)
            default:
                break
            }
            return true
        }
        return valid ? output : nil
    }
}
