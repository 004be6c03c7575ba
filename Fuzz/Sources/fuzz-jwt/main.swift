import AuthKitClock
import JWTCore

#if canImport(Glibc)
import Glibc
#endif

// Verification of arbitrary bytes as a compact JWS against HMAC and ECDSA keys with a strict policy, and the
// debugging decoder. Any outcome but a crash, a leak or a hang is fine: errors are the expected answer.
private let keys: JWTKeySet? = {
    guard let hmac = try? JWTKey.hs256([UInt8](repeating: 7, count: 32), kid: "h"),
        let ecdsa = try? JWTKey.generate(.es256, kid: "e")
    else { return nil }
    return try? JWTKeySet([hmac, ecdsa])
}()

// Signs fuzz input as a payload with the HMAC key, so the payload's claims reader (which only ever sees bytes
// under a valid signature) meets every input too.
private let payloadSigner: JWTSigner? = keys.flatMap { keys in
    (try? keys.key(for: "h")).flatMap { try? JWTSigner(key: $0) }
}

private let verifier: JWTVerifier? = keys.flatMap { keys in
    try? JWTVerifier(
        keys: keys,
        policy: JWTValidationPolicy(issuer: "i", audiences: ["a"], requiredClaims: ["exp", "sub"]),
        clock: .fixed(UnixTime(seconds: 1_700_000_000))
    )
}

/// The libFuzzer entry point: one input, whatever its bytes; returns 0 (the input is never rejected).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard let verifier, let payloadSigner else {
        // A target that cannot build its verifier would fuzz nothing: fail loudly instead.
        abort()
    }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    _ = try? verifier.verify(bytes: bytes)
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? verifier.verify(text)
    _ = try? UnverifiedJWTDecoder.decode(text)
    if let signed = try? payloadSigner.sign(payload: Array(bytes)) {
        _ = try? verifier.verify(signed)
    }
    return 0
}
