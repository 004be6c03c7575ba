import Testing

@testable import RedisClient

/// The reply stream, byte by byte: the size guard must find where every reply ends, at any nesting and however
/// the bytes are cut, skip exactly the replies above the caps, and hand every other reply to the reader intact.
@Suite("ReplyStream")
struct ReplyStreamTests {
    /// One reply on the wire, and what the stream must make of it under caps of 1,024 bytes and 10 elements per
    /// reply, counted over the whole reply.
    private static let exchange: [(wire: String, expected: RedisReply?)] = [
        ("+OK\r\n", .status("OK")),
        ("$5\r\nhello\r\n", .bulk(Array("hello".utf8))),
        ("$2000\r\n" + String(repeating: "x", count: 2000) + "\r\n", nil),
        ("*3\r\n:1\r\n$1\r\na\r\n*-1\r\n", .array([.integer(1), .bulk([UInt8(ascii: "a")]), .null])),
        ("*20\r\n" + (0..<20).map { ":\($0)\r\n" }.joined(), nil),
        ("*2\r\n*2\r\n:1\r\n$2\r\nab\r\n$-1\r\n", .array([.array([.integer(1), .bulk(Array("ab".utf8))]), .null])),
        ("*1\r\n*11\r\n" + String(repeating: "$1\r\nz\r\n", count: 11), nil),
        ("-ERR bad\r\n", .error("ERR bad")),
        ("+" + String(repeating: "y", count: 1500) + "\r\n", nil),
        ("*0\r\n", .array([])),
        ("$0\r\n\r\n", .bulk([])),
        (
            "*2\r\n*6\r\n" + String(repeating: ":1\r\n", count: 6) + "*6\r\n" + String(repeating: ":2\r\n", count: 6),
            nil
        ),
        ("*3\r\n" + String(repeating: "$400\r\n" + String(repeating: "v", count: 400) + "\r\n", count: 3), nil),
        ("*10\r\n" + String(repeating: ":7\r\n", count: 10), .array(Array(repeating: .integer(7), count: 10))),
        (
            "$1015\r\n" + String(repeating: "w", count: 1015) + "\r\n",
            .bulk(Array(repeating: UInt8(ascii: "w"), count: 1015))
        ),
        ("$1016\r\n" + String(repeating: "w", count: 1016) + "\r\n", nil),
    ]

    private static let wire = Array(exchange.map(\.wire).joined().utf8)

    /// Runs `bytes` through a fresh stream in pieces of `sizes` (cycled), returning what it produced.
    private static func run(_ bytes: [UInt8], pieces sizes: [Int]) throws -> [Result<RedisReply, RedisError>] {
        let stream = try ReplyStream(maxReplyBytes: 1024, maxReplyElements: 10)
        var replies: [Result<RedisReply, RedisError>] = []
        var offset = 0
        var turn = 0
        try bytes.withUnsafeBytes { buffer in
            while offset < buffer.count {
                let end = min(offset + sizes[turn % sizes.count], buffer.count)
                turn += 1
                try stream.receive(UnsafeRawBufferPointer(rebasing: buffer[offset..<end]), into: &replies)
                offset = end
            }
        }
        return replies
    }

    private static func check(_ replies: [Result<RedisReply, RedisError>], _ label: String) {
        #expect(replies.count == exchange.count, "\(label): \(replies.count) replies")
        for (received, sent) in zip(replies, exchange) {
            switch (received, sent.expected) {
            case (.success(let reply), .some(let expected)):
                #expect(reply == expected, "\(label)")
            case (.failure(let error), nil):
                #expect(error.code == .replyTooLarge, "\(label): \(error)")
            default:
                Issue.record("\(label): got \(received) for \(sent.wire.prefix(20).debugDescription)")
            }
        }
    }

    @Test("replies above the caps are skipped and reported in their place, whatever the chunk size", arguments: 1...64)
    func everyChunkSize(size: Int) throws {
        Self.check(try Self.run(Self.wire, pieces: [size]), "chunks of \(size)")
    }

    @Test("the same at every split of the stream into two pieces")
    func everySplitPoint() throws {
        for split in 1..<Self.wire.count {
            Self.check(try Self.run(Self.wire, pieces: [split, Self.wire.count]), "split at \(split)")
        }
    }

    @Test("a length no RESP value can have is a protocol error, skipped reply or not")
    func impossibleLengths() throws {
        for wire in [
            "$99999999999999999999999\r\n", "*99999999999999999999999\r\n", "*2000\r\n*9223372036854775807\r\n",
        ] {
            let error = #expect(throws: RedisError.self, "\(wire)") { _ = try Self.run(Array(wire.utf8), pieces: [7]) }
            #expect(error?.code == .protocol)
        }
    }
}
