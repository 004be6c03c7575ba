/// An `application/x-www-form-urlencoded` body (the RFC 7009 and RFC 7662 request format), read strictly: a
/// parameter given twice or a broken percent-escape is refused (RFC 6749 §3.1: parameters "MUST NOT be included
/// more than once").
struct FormBody {
    private(set) var values: [String: String] = [:]

    init(_ text: String) throws(AuthKitHTTPError) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), let value = Self.decode(parts.count == 2 ? parts[1] : "") else {
                throw AuthKitHTTPError.invalidRequest("the form body has a broken percent-escape")
            }
            guard values[name] == nil else {
                throw AuthKitHTTPError.invalidRequest("the parameter \"\(name)\" is given more than once")
            }
            values[name] = value
        }
    }

    subscript(name: String) -> String? { values[name] }

    /// Percent-decodes one form component (`+` is a space); nil for a broken escape or bytes that are not UTF-8.
    private static func decode(_ component: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = component.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"):
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                bytes.append(high << 4 | low)
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension AuthKitHTTPError {
    /// 400 `invalid_request` (RFC 6749 §5.2) for a revocation or introspection request AuthKit cannot read.
    static func invalidRequest(_ message: String) -> AuthKitHTTPError {
        AuthKitHTTPError(statusCode: 400, code: "invalid_request", message: message)
    }
}
