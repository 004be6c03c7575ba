/// Conversions between JOSE ECDSA signatures (`r || s`, each exactly as long as a coordinate; RFC 7518 §3.4)
/// and the DER `ECDSA-Sig-Value` OpenSSL signs and verifies.
enum ECDSASignature {
    /// The largest DER form for P-521: two 67-byte INTEGERs (sign byte included) in a long-form SEQUENCE.
    static let maxDERSize = 3 + 2 * (2 + 67)

    /// Writes the DER form of a JOSE signature into `output` (at least ``maxDERSize`` bytes) and returns its
    /// length, or `nil` when the signature is not exactly `2 * curve.coordinateSize` bytes or when `r` or `s`
    /// is zero or not below the group order.
    static func der(
        fromJOSE signature: UnsafeRawBufferPointer,
        curve: ECCurve,
        into output: UnsafeMutableRawBufferPointer
    ) -> Int? {
        let size = curve.coordinateSize
        guard signature.count == 2 * size, output.count >= maxDERSize else { return nil }
        let r = UnsafeRawBufferPointer(rebasing: signature[0..<size])
        let s = UnsafeRawBufferPointer(rebasing: signature[size..<(2 * size)])
        let order = curve.order
        guard inRange(r, order: order), inRange(s, order: order) else { return nil }
        let rLength = integerLength(r)
        let sLength = integerLength(s)
        let contentLength = 2 + rLength + 2 + sLength
        var index = 0
        output[index] = 0x30
        index += 1
        if contentLength >= 0x80 {
            output[index] = 0x81
            index += 1
        }
        output[index] = UInt8(contentLength)
        index += 1
        index = writeInteger(r, length: rLength, into: output, at: index)
        index = writeInteger(s, length: sLength, into: output, at: index)
        return index
    }

    /// `0 < value < order`, comparing big-endian byte strings of equal length.
    static func inRange(_ value: UnsafeRawBufferPointer, order: [UInt8]) -> Bool {
        guard value.contains(where: { $0 != 0 }) else { return false }
        for (byte, limit) in zip(value, order) where byte != limit {
            return byte < limit
        }
        return false
    }

    /// Length of the DER INTEGER content for an unsigned big-endian value: leading zeros dropped, and one
    /// zero byte added back when the top bit would otherwise read as a sign.
    private static func integerLength(_ value: UnsafeRawBufferPointer) -> Int {
        let start = value.firstIndex(where: { $0 != 0 }) ?? (value.count - 1)
        return value.count - start + (value[start] & 0x80 != 0 ? 1 : 0)
    }

    private static func writeInteger(
        _ value: UnsafeRawBufferPointer,
        length: Int,
        into output: UnsafeMutableRawBufferPointer,
        at start: Int
    ) -> Int {
        var index = start
        output[index] = 0x02
        output[index + 1] = UInt8(length)
        index += 2
        let first = value.firstIndex(where: { $0 != 0 }) ?? (value.count - 1)
        if value[first] & 0x80 != 0 {
            output[index] = 0
            index += 1
        }
        for byte in value[first...] {
            output[index] = byte
            index += 1
        }
        return index
    }

    /// The JOSE form of a DER signature OpenSSL produced, or `nil` if it is not a well-formed DER
    /// `SEQUENCE { INTEGER r, INTEGER s }` whose values fit the curve.
    static func jose(fromDER der: [UInt8], curve: ECCurve) -> [UInt8]? {
        let size = curve.coordinateSize
        var index = 0
        func next() -> UInt8? {
            guard index < der.count else { return nil }
            defer { index += 1 }
            return der[index]
        }
        func length() -> Int? {
            guard let first = next() else { return nil }
            if first < 0x80 { return Int(first) }
            guard first == 0x81, let second = next(), second >= 0x80 else { return nil }
            return Int(second)
        }
        func integer() -> [UInt8]? {
            guard next() == 0x02, let count = length(), count > 0, index + count <= der.count else { return nil }
            var value = Array(der[index..<(index + count)])
            index += count
            while value.count > 1, value[0] == 0 { value.removeFirst() }
            guard value.count <= size else { return nil }
            return [UInt8](repeating: 0, count: size - value.count) + value
        }
        guard next() == 0x30, let total = length(), index + total == der.count,
            let r = integer(), let s = integer(), index == der.count
        else { return nil }
        return r + s
    }
}
