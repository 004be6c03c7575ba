internal import CAuthKitOpenSSL
import Synchronization

/// Pre-keyed OpenSSL HMAC contexts (`EVP_MAC_CTX`) for one key, reused across calls and threads.
///
/// On OpenSSL 3 keying an HMAC costs several times the MAC of a short input, so the key is set once on a
/// template context and each call takes a keyed context from a free list (or duplicates the template),
/// re-initialises it with `EVP_MAC_init(ctx, NULL, 0, NULL)` — which keeps the key — and returns it after.
///
/// `@unchecked Sendable`: the template is only read (duplicated) under the lock, and a pooled context is
/// owned by exactly one caller between `take` and `give`; `deinit` runs when no caller can hold one.
final class HMACContextPool: @unchecked Sendable {
    /// The fetched HMAC implementation: immutable after the one-time fetch, and OpenSSL's `EVP_MAC` objects
    /// are safe to share between threads.
    nonisolated(unsafe) private static let mac: OpaquePointer? = EVP_MAC_fetch(nil, "HMAC", nil)
    private static let maxIdle = 32

    /// A context owned by whoever holds this value: in the idle list, or the one caller that took it.
    private struct Context: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let template: Context
    private let idle: Mutex<[Context]>
    let outputSize: Int

    init(digest: Digest, key: UnsafeRawBufferPointer) throws(JWTError) {
        guard let mac = Self.mac, let context = EVP_MAC_CTX_new(mac) else {
            throw OpenSSLError.take("EVP_MAC_CTX_new(HMAC)")
        }
        // An OSSL_PARAM keeps the pointer to its key name, not a copy: a literal passed straight to the
        // constructor is a temporary C string that may be freed before EVP_MAC_init reads it (AddressSanitizer
        // caught exactly that), so both strings stay alive for the whole call.
        let status = "digest".withCString { paramName in
            digest.openSSLName.withCString { name -> Int32 in
                var params = [
                    OSSL_PARAM_construct_utf8_string(paramName, UnsafeMutablePointer(mutating: name), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return params.withUnsafeMutableBufferPointer { paramBuffer in
                    EVP_MAC_init(
                        context,
                        key.baseAddress?.assumingMemoryBound(to: UInt8.self),
                        key.count,
                        paramBuffer.baseAddress
                    )
                }
            }
        }
        guard status == 1 else {
            EVP_MAC_CTX_free(context)
            throw OpenSSLError.take("EVP_MAC_init(HMAC-\(digest.openSSLName))")
        }
        self.template = Context(pointer: context)
        self.idle = Mutex([])
        self.outputSize = digest.size
    }

    deinit {
        EVP_MAC_CTX_free(template.pointer)
        idle.withLock { contexts in
            for context in contexts { EVP_MAC_CTX_free(context.pointer) }
        }
    }

    /// Computes the HMAC of `input` into `output`, which must hold ``outputSize`` bytes.
    func authenticate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws(JWTError) {
        let taken = idle.withLock { contexts -> Context? in
            contexts.popLast() ?? EVP_MAC_CTX_dup(template.pointer).map(Context.init(pointer:))
        }
        guard let taken else { throw OpenSSLError.take("EVP_MAC_CTX_dup") }
        let context = taken.pointer
        var written = 0
        let ok =
            EVP_MAC_init(context, nil, 0, nil) == 1
            && EVP_MAC_update(context, input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count) == 1
            && EVP_MAC_final(
                context,
                output.baseAddress?.assumingMemoryBound(to: UInt8.self),
                &written,
                output.count
            ) == 1
        guard ok, written == outputSize else {
            EVP_MAC_CTX_free(context)
            throw OpenSSLError.take("HMAC")
        }
        let surplus = idle.withLock { contexts -> Context? in
            guard contexts.count < Self.maxIdle else { return taken }
            contexts.append(taken)
            return nil
        }
        if let surplus { EVP_MAC_CTX_free(surplus.pointer) }
    }
}
