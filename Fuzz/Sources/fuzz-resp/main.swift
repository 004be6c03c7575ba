@testable import RedisClient

#if canImport(Glibc)
import Glibc
#endif

// What a hostile or broken server can send: bytes go through the reply stream (the size guard ahead of the
// hiredis reader) exactly as a connection feeds them, cut into chunks at the offsets the first byte chooses. The
// caps are small so the fuzzer reaches them; a stream error ends the "connection", as it does in RedisConnection.
/// The libFuzzer entry point: one input, whatever its bytes; returns 0 (the input is never rejected).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRESP(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0, let stream = try? ReplyStream(maxReplyBytes: 4096, maxReplyElements: 64) else { return 0 }
    let chunk = Int(start.load(as: UInt8.self) % 16) + 1
    let body = UnsafeRawBufferPointer(start: start + 1, count: count - 1)
    var replies: [Result<RedisReply, RedisError>] = []
    var offset = 0
    do {
        while offset < body.count {
            let piece = UnsafeRawBufferPointer(rebasing: body[offset..<min(offset + chunk, body.count)])
            offset += piece.count
            replies.removeAll(keepingCapacity: true)
            try stream.receive(piece, into: &replies)
            for case .success(let reply) in replies {
                _ = reply.string
                _ = reply.array?.count
            }
        }
    } catch {
        return 0
    }
    return 0
}
