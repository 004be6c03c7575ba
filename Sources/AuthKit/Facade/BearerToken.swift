/// Reading `Authorization: Bearer <token>` (RFC 6750 §2.1): the scheme is case-insensitive, one or more
/// spaces follow it, and the token is the rest of the value without surrounding whitespace.
enum BearerToken {
    static func extract(from header: String) -> String? {
        let utf8 = header.utf8
        guard utf8.count > 7 else { return nil }
        let scheme = utf8.prefix(6)
        guard String(decoding: scheme, as: UTF8.self).lowercased() == "bearer" else { return nil }
        let rest = utf8.dropFirst(6)
        guard rest.first == UInt8(ascii: " ") else { return nil }
        let token = rest.drop { $0 == UInt8(ascii: " ") }
        let trimmed = token.reversed().drop { $0 == UInt8(ascii: " ") }
        guard !trimmed.isEmpty else { return nil }
        let text = String(decoding: token.prefix(trimmed.count), as: UTF8.self)
        return text.contains(" ") ? nil : text
    }
}
