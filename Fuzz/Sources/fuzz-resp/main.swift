@testable import RedisClient

#if canImport(Glibc)
import Glibc
#endif

// What a hostile or broken server can send: bytes go through the size guard and the hiredis reader exactly as a
// connection feeds them, cut into chunks at the offsets the first byte chooses. The guard's caps are small so the
// fuzzer reaches them; a guard or reader error ends the "connection", as it does in RedisConnection.
/// The libFuzzer entry point: one input, whatever its bytes; returns 0 (the input is never rejected).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRESP(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0, let reader = try? ReplyReader() else { return 0 }
    let chunk = Int(start.load(as: UInt8.self) % 16) + 1
    let body = UnsafeRawBufferPointer(start: start + 1, count: count - 1)
    var guardian = ReplySizeGuard(maxBulkLength: 4096, maxElements: 64)
    var offset = 0
    do {
        while offset < body.count {
            let piece = UnsafeRawBufferPointer(rebasing: body[offset..<min(offset + chunk, body.count)])
            offset += piece.count
            try guardian.scan(piece)
            try reader.feed(piece)
            while let reply = try reader.next() {
                _ = reply.string
                _ = reply.array?.count
            }
        }
    } catch {
        return 0
    }
    return 0
}
