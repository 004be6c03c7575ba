/// Writes JSON values as compact, deterministic UTF-8: members in their stored order, no whitespace,
/// integral numbers without a fraction, and only the escapes RFC 8259 requires.
enum JSONWriter {
    static func write(_ value: JSONValue, to output: inout [UInt8]) throws(JWTError) {
        switch value {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let flag):
            output.append(contentsOf: (flag ? "true" : "false").utf8)
        case .number(let number):
            try writeNumber(number, to: &output)
        case .string(let string):
            writeString(string, to: &output)
        case .array(let elements):
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                try write(element, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let object):
            try write(object, to: &output)
        }
    }

    static func write(_ object: JSONObject, to output: inout [UInt8]) throws(JWTError) {
        output.append(UInt8(ascii: "{"))
        for (position, member) in object.members.enumerated() {
            if position > 0 { output.append(UInt8(ascii: ",")) }
            writeString(member.name, to: &output)
            output.append(UInt8(ascii: ":"))
            try write(member.value, to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// The compact text of `value`.
    static func string(_ value: JSONValue) throws(JWTError) -> String {
        var output: [UInt8] = []
        try write(value, to: &output)
        return String(decoding: output, as: UTF8.self)
    }

    static func writeNumber(_ number: Double, to output: inout [UInt8]) throws(JWTError) {
        guard number.isFinite else {
            throw JWTError(.invalidClaim, "JSON cannot represent a non-finite number")
        }
        if number == number.rounded(.towardZero), abs(number) < 9_007_199_254_740_992 {
            writeInteger(Int64(number), to: &output)
        } else {
            output.append(contentsOf: "\(number)".utf8)
        }
    }

    static func writeInteger(_ integer: Int64, to output: inout [UInt8]) {
        if integer == 0 {
            output.append(UInt8(ascii: "0"))
            return
        }
        if integer < 0 { output.append(UInt8(ascii: "-")) }
        var magnitude = integer.magnitude
        var digitCount = 0
        var probe = magnitude
        while probe > 0 {
            digitCount += 1
            probe /= 10
        }
        let end = output.count + digitCount
        output.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digitCount))
        var position = end - 1
        while magnitude > 0 {
            output[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            position -= 1
        }
    }

    static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Claim values almost never need an escape: append them whole instead of byte by byte.
        let plain = string.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            for byte in buffer where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                return false
            }
            output.append(contentsOf: buffer)
            return true
        }
        if plain != true {
            writeEscaped(string.utf8, to: &output)
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ utf8: String.UTF8View, to output: inout [UInt8]) {
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            default: output.append(byte)
            }
        }
    }
}
