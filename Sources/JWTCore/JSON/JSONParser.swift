/// A strict RFC 8259 JSON parser over bytes, written for untrusted JWT headers and payloads.
///
/// It rejects what lenient parsers let through and attackers rely on: duplicate member names (compared after
/// unescaping), nesting past a cap, invalid UTF-8, lone surrogates, control characters in strings, leading
/// zeros, non-finite numbers, a byte-order mark and anything after the top-level value.
struct JSONParser: ~Copyable {
    struct Failure: Error {
        let code: JWTError.Code
        let message: String
    }

    let bytes: UnsafeRawBufferPointer
    var index = 0
    private let maxDepth: Int
    private var depth = 0
    private var scratch: [UInt8] = []

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    /// Parses exactly one JSON value that fills `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(Failure) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index != bytes.count {
            throw parser.failure("unexpected data after the JSON value")
        }
        return value
    }

    /// Parses bytes that must hold exactly one JSON object.
    static func parseObject(_ bytes: UnsafeRawBufferPointer, maxDepth: Int, what: String) throws(JWTError) -> JSONObject
    {
        do {
            guard case .object(let object) = try parse(bytes, maxDepth: maxDepth) else {
                throw JWTError(.malformed, "\(what) is not a JSON object")
            }
            return object
        } catch let failure as Failure {
            throw JWTError(failure.code, "\(what): \(failure.message)")
        } catch let error as JWTError {
            throw error
        } catch {
            throw JWTError(.malformed, "\(what) is not valid JSON")
        }
    }

    /// Parses a byte array that must hold exactly one JSON object.
    static func parseObject(_ bytes: [UInt8], maxDepth: Int, what: String) throws(JWTError) -> JSONObject {
        try bytes.withBytes { (buffer) throws(JWTError) in try parseObject(buffer, maxDepth: maxDepth, what: what) }
    }

    func failure(_ message: String, code: JWTError.Code = .malformed) -> Failure {
        Failure(code: code, message: "\(message) at byte \(index)")
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(Failure) -> JSONValue {
        guard index < bytes.count else { throw failure("unexpected end of JSON") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return .object(try parseObjectBody())
        case UInt8(ascii: "["):
            return .array(try parseArrayBody())
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw failure("unexpected character")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("unexpected end of JSON") }
        let start = literal.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw failure("invalid literal")
        }
        index += count
    }

    private mutating func enter() throws(Failure) {
        depth += 1
        if depth > maxDepth {
            throw failure("JSON nests deeper than \(maxDepth) levels", code: .nestingTooDeep)
        }
    }

    private mutating func parseObjectBody() throws(Failure) -> JSONObject {
        try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.linearScanLimit) {
            (fingerprints) throws(Failure) -> JSONObject in
            var members: [JSONObject.Member] = []
            var names: Set<String>? = nil
            try parseMembers { (parser) throws(Failure) in
                if members.isEmpty {
                    // A JWT payload has about eight members: one allocation instead of four growth steps.
                    members.reserveCapacity(8)
                }
                let name = try parser.parseString()
                try parser.parseMember(named: name, into: &members, fingerprints: fingerprints, names: &names)
            }
            return JSONObject(uncheckedMembers: members)
        }
    }

    /// Objects with fewer members than this are checked for duplicates by a linear scan over the fingerprints of
    /// their names, kept on the stack; past it, a set keeps the check linear overall.
    static let linearScanLimit = 16

    /// Reads the rest of a member whose name was just read (refused if it repeats an earlier one), its colon and
    /// its value, and appends it to `members`. `fingerprints` has room for ``linearScanLimit`` fingerprints and
    /// holds those of the members before it.
    mutating func parseMember(
        named name: String,
        into members: inout [JSONObject.Member],
        fingerprints: UnsafeMutableBufferPointer<UInt64>,
        names: inout Set<String>?
    ) throws(Failure) {
        let fingerprint = Self.fingerprint(name)
        if isDuplicate(name, fingerprint, in: members, fingerprints: fingerprints, names: &names) {
            throw failure("duplicate member name \"\(Self.printable(name))\"", code: .duplicateMember)
        }
        try parseColon()
        let value = try parseValue()
        if members.count < fingerprints.count {
            fingerprints[members.count] = fingerprint
        }
        members.append(JSONObject.Member(name, value))
    }

    /// Walks an object from its `{` to its `}`. For each member, `member` is called with the parser on the
    /// opening quote of the name and reads the name, the colon (``parseColon()``) and the value.
    mutating func parseMembers(_ member: (inout JSONParser) throws(Failure) -> Void) throws(Failure) {
        try enter()
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw failure("expected a member name")
            }
            try member(&self)
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end of JSON") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return
            }
            throw failure("expected ',' or '}'")
        }
    }

    /// The `:` between a member's name and its value, with the whitespace around it.
    mutating func parseColon() throws(Failure) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected ':'") }
        index += 1
        skipWhitespace()
    }

    /// FNV-1a of the decoded name: names that differ almost always differ here, so the string comparison (which
    /// is slow for strings that are not equal) runs only for likely duplicates.
    static func fingerprint(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// Small objects are checked by a linear scan over fingerprints; past ``linearScanLimit`` members a set keeps
    /// the check linear overall.
    func isDuplicate(
        _ name: String,
        _ fingerprint: UInt64,
        in members: [JSONObject.Member],
        fingerprints: UnsafeMutableBufferPointer<UInt64>,
        names: inout Set<String>?
    ) -> Bool {
        if members.count < fingerprints.count {
            for position in 0..<members.count where fingerprints[position] == fingerprint {
                if members[position].name == name { return true }
            }
            return false
        }
        if names == nil {
            names = Set(members.map(\.name))
        }
        return names?.insert(name).inserted == false
    }

    private mutating func parseArrayBody() throws(Failure) -> [JSONValue] {
        try enter()
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw failure("unexpected end of JSON") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                return elements
            }
            throw failure("expected ',' or ']'")
        }
    }

    mutating func parseString() throws(Failure) -> String {
        index += 1
        let start = index
        var ascii = true
        // Eight bytes at a time while none of them needs a look: a quote, a backslash, a control character or a
        // byte outside ASCII.
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count {
                let word = (base + index).loadUnaligned(as: UInt64.self)
                if Self.holdsSpecialByte(word) { break }
                index += 8
            }
        }
        // Fast path: no escapes, pure ASCII or valid UTF-8 up to the closing quote.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                // ASCII is valid UTF-8 as it stands: only strings with other bytes need the strict check.
                if ascii { return String(decoding: slice.bindMemory(to: UInt8.self), as: UTF8.self) }
                guard let string = UTF8Validation.string(slice) else {
                    throw failure("string is not valid UTF-8")
                }
                return string
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw failure("control character in string") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                let decoded = scratch.withUnsafeBytes { UTF8Validation.string($0) }
                guard let string = decoded else { throw failure("string is not valid UTF-8") }
                return string
            case UInt8(ascii: "\\"):
                try parseEscape()
            case 0..<0x20:
                throw failure("control character in string")
            default:
                scratch.append(byte)
                index += 1
            }
        }
        throw failure("unterminated string")
    }

    /// Whether any byte of `word` is a quote, a backslash, below 0x20 or above 0x7F. Each test is exact: a zero
    /// byte in `x` is found by `(x - 0x01…) & ~x & 0x80…`, a byte below 0x20 by the same with 0x20, so a word
    /// without such a byte never stops the scan early and one with it always does.
    static func holdsSpecialByte(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote & highs
        let hasBackslash = (backslash &- ones) & ~backslash & highs
        let hasControl = (word &- ones &* 0x20) & ~word & highs
        return (hasQuote | hasBackslash | hasControl | word & highs) != 0
    }

    private mutating func parseEscape() throws(Failure) {
        index += 1
        guard index < bytes.count else { throw failure("unterminated escape") }
        let escaped = bytes[index]
        index += 1
        switch escaped {
        case UInt8(ascii: "\""): scratch.append(0x22)
        case UInt8(ascii: "\\"): scratch.append(0x5C)
        case UInt8(ascii: "/"): scratch.append(0x2F)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try parseHex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else { throw failure("lone high surrogate in string") }
                index += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw failure("lone high surrogate in string") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw failure("lone low surrogate in string")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw failure("invalid unicode escape") }
            if let encoded = UTF8.encode(unicode) {
                scratch.append(contentsOf: encoded)
            }
        default:
            throw failure("invalid escape")
        }
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("truncated unicode escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid unicode escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    mutating func parseNumber() throws(Failure) -> Double {
        if let value = parseShortInteger() { return value }
        return try parseAnyNumber()
    }

    /// A number that is a plain integer of 1 to 15 digits without a leading zero (every NumericDate), read and
    /// converted in one pass; `nil`, with the parser where it was, for anything else, which ``parseAnyNumber()``
    /// reads and checks. 15 digits always fit an `Int64` and convert to `Double` exactly.
    mutating func parseShortInteger() -> Double? {
        var position = index
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        let first = position
        var value: Int64 = 0
        while position < bytes.count, position - first < 16, Self.isDigit(bytes[position]) {
            value = value &* 10 &+ Int64(bytes[position] &- UInt8(ascii: "0"))
            position += 1
        }
        let digits = position - first
        guard digits >= 1, digits <= 15, digits == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
        if position < bytes.count {
            let next = bytes[position]
            if next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") || Self.isDigit(next)
            {
                return nil
            }
        }
        index = position
        return Double(negative ? -value : value)
    }

    /// Any JSON number, checked against the grammar of RFC 8259 §6.
    mutating func parseAnyNumber() throws(Failure) -> Double {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, Self.isDigit(bytes[index]) else { throw failure("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, Self.isDigit(bytes[index]) { throw failure("leading zero in number") }
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw failure("invalid fraction") }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, Self.isDigit(bytes[index]) else { throw failure("invalid exponent") }
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        }
        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        // RFC 8259 §9 lets a parser limit numbers; no claim needs more than a double's 17 significant digits,
        // and converting thousands of digits is the slowest thing a hostile token could otherwise ask for.
        guard text.count <= Self.maxNumberLength else {
            throw failure("number longer than \(Self.maxNumberLength) characters")
        }
        if isInteger, text.count <= 15 {
            var value: Int64 = 0
            var negative = false
            for byte in text {
                if byte == UInt8(ascii: "-") {
                    negative = true
                } else {
                    value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                }
            }
            return Double(negative ? -value : value)
        }
        guard let value = Double(String(decoding: text, as: UTF8.self)), value.isFinite else {
            throw failure("number out of range")
        }
        return value
    }

    /// The longest number text accepted.
    static let maxNumberLength = 64

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Member names go into error messages; control characters and overlong names are neutralised.
    static func printable(_ name: String) -> String {
        let clipped = name.unicodeScalars.prefix(64).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }
        return String(clipped) + (name.unicodeScalars.count > 64 ? "…" : "")
    }
}
