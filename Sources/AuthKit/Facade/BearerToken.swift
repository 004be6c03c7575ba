/// The one reader of `Authorization: Bearer <token>` (RFC 6750 §2.1) in AuthKit: the facade's
/// ``AuthKitVerifier/authenticate(bearer:)`` and the Hummingbird and Vapor integrations all use it.
///
/// The scheme is case-insensitive, one or more spaces follow it, and the token is the rest of the value without
/// surrounding spaces; a value with no token, or with a space inside the token, carries none.
public enum BearerToken {
    /// The token of an `Authorization` header value, or nil when the value does not carry a Bearer token.
    public static func token(in header: String) -> String? {
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
