import JWTCore

#if canImport(Glibc)
import Glibc
#endif

// Key material from outside: a JWK, a JWKS (strict and as a published set), a PEM or a DER key. The first byte picks the parser so one corpus
// covers all four; every parser must turn any input into a key or an error.
/// The libFuzzer entry point: one input, whatever its bytes; returns 0 (the input is never rejected).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWK(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let selector = start.load(as: UInt8.self)
    let body = UnsafeRawBufferPointer(start: start + 1, count: count - 1)
    let text = String(decoding: body, as: UTF8.self)
    switch selector % 4 {
    case 0:
        if let key = try? JWTKey(jwk: text) {
            _ = try? key.jwkString(includePrivate: true)
            _ = try? key.thumbprint()
        }
    case 1:
        if let set = try? JWTKeySet(jwks: text) {
            _ = try? set.publicJWKSString()
        }
        if let published = try? PublishedKeySet(jwks: text) {
            _ = try? published.keys.publicJWKSString()
            _ = published.skipped.map(\.description)
        }
    case 2:
        if let key = try? JWTKey(pem: text) {
            _ = try? key.pem(includePrivate: true)
        }
    default:
        _ = try? JWTKey(der: Array(body))
    }
    return 0
}
