/// The replies in the bytes a connection reads: ``ReplySizeGuard`` ahead of the hiredis ``ReplyReader``, so a reply
/// above the caps is skipped without being buffered and reported in its place, and the replies around it are read
/// as usual.
///
/// Used only on the event-loop thread of the connection that owns it.
final class ReplyStream {
    private var sizeGuard: ReplySizeGuard
    private var reader: ReplyReader

    init(maxReplyBytes: Int, maxReplyElements: Int) throws(RedisError) {
        sizeGuard = ReplySizeGuard(maxReplyBytes: maxReplyBytes, maxReplyElements: maxReplyElements)
        reader = try ReplyReader()
    }

    /// Appends to `replies`, in order, every reply that `bytes` completes: the reply, or in place of one above the
    /// caps a ``RedisError/Code/replyTooLarge`` failure for the command it answers.
    /// - Throws: ``RedisError/Code/protocol`` for bytes that are not RESP2; the connection must then close.
    func receive(
        _ bytes: UnsafeRawBufferPointer,
        into replies: inout [Result<RedisReply, RedisError>]
    ) throws(RedisError) {
        var offset = 0
        while offset < bytes.count {
            switch try sizeGuard.next(bytes, from: offset) {
            case .feed(let end):
                try read(UnsafeRawBufferPointer(rebasing: bytes[offset..<end]), into: &replies)
                offset = end
            case .overflow(let feedEnd, let resume):
                try read(UnsafeRawBufferPointer(rebasing: bytes[offset..<feedEnd]), into: &replies)
                // What the reader holds now is the oversized reply's beginning: start again without it.
                reader = try ReplyReader()
                offset = resume
            case .skip(let end):
                offset = end
            case .skipped(let end, let error):
                replies.append(.failure(error))
                offset = end
            }
        }
    }

    private func read(
        _ bytes: UnsafeRawBufferPointer,
        into replies: inout [Result<RedisReply, RedisError>]
    ) throws(RedisError) {
        try reader.feed(bytes)
        while let reply = try reader.next() {
            replies.append(.success(reply))
        }
    }
}
