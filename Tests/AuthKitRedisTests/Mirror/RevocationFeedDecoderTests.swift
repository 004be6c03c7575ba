import AuthKitClock
import AuthKitTesting
import RedisClient
import Testing
import TokenStore

@testable import AuthKitRedis

/// What a mirror makes of the feed's entries as `XRANGE` returns them: every kind the scripts write, and a clear
/// error — never a guess or a crash — for anything else.
@Suite("RevocationFeedDecoder")
struct RevocationFeedDecoderTests {
    private static func reply(_ entries: [(String, [String])]) -> RedisReply {
        .array(
            entries.map { id, values in
                .array([.bulk(Array(id.utf8)), .array(values.map { .bulk(Array($0.utf8)) })])
            }
        )
    }

    @Test("every kind of entry reads back as written")
    func kinds() throws {
        let entries = try RevocationFeedDecoder.entries(
            Self.reply([
                ("1-0", ["k", "b", "t", "1000"]), ("2-0", ["k", "r", "u", "ann", "j", "j:1", "x", "5000"]),
                ("2-1", ["k", "e", "u", "bo", "a", "2000", "x", "9000"]),
                ("3-0", ["k", "s", "u", "ann", "s", "sid 1", "t", "3000"]),
            ])
        )
        #expect(entries.map(\.id) == ["1-0", "2-0", "2-1", "3-0"])
        let ms = { (value: Int64) in UnixTime(sinceEpoch: .milliseconds(value)) }
        #expect(
            entries.map(\.entry) == [
                .began(at: ms(1000)),
                .revoked(userID: "ann", jti: "j:1", until: ms(5000)),
                .epoch(userID: "bo", epoch: AccessRecords.EpochRecord(cutoff: ms(2000), retainedUntil: ms(9000))),
                .sessionEnded(userID: "ann", sessionID: "sid 1", at: ms(3000)),
            ]
        )
        #expect(try RevocationFeedDecoder.entries(.array([])).isEmpty)
    }

    @Test(
        "an entry this version cannot read is an error",
        arguments: [
            ["k", "z", "u", "ann"],  // unknown kind
            ["k", "r", "u", "ann"],  // missing fields
            ["k", "r", "u", "ann", "j", "j1", "x", "soon"],  // unparsable instant
            ["k", "r", "u", "", "j", "j1", "x", "5"],  // empty user
            ["k", "b", "t"],  // odd count
            [],
        ]
    )
    func unreadable(values: [String]) {
        #expect(throws: RevocationFeedDecoder.DecodeError.self) {
            try RevocationFeedDecoder.entries(Self.reply([("1-0", values)]))
        }
    }

    @Test("a reply of another shape is an error")
    func otherShapes() {
        let shapes: [RedisReply] = [
            .null, .status("OK"), .error("ERR"), .array([.bulk(Array("1-0".utf8))]),
            .array([.array([.bulk(Array("1-0".utf8)), .bulk(Array("k".utf8))])]),
            .array([.array([.bulk(Array("1-0".utf8)), .array([.bulk(Array("k".utf8)), .null])])]),
        ]
        for shape in shapes {
            #expect(throws: RevocationFeedDecoder.DecodeError.self, "\(shape)") {
                try RevocationFeedDecoder.entries(shape)
            }
        }
    }

    @Test("no field values crash the decoder")
    func arbitraryValues() {
        var generator = SeededGenerator(seed: 0xFEED)
        let names = ["k", "u", "j", "s", "x", "a", "t", "r", "e", "b", ""]
        var decoded = 0
        for _ in 0..<20_000 {
            var values: [String] = []
            for _ in 0..<Int(generator.next() % 10) {
                values.append(names[Int(generator.next() % UInt64(names.count))])
                let bytes = (0..<Int(generator.next() % 6)).map { _ in UInt8(48 + generator.next() % 60) }
                values.append(String(decoding: bytes, as: UTF8.self))
            }
            if (try? RevocationFeedDecoder.entries(Self.reply([("1-0", values)]))) != nil {
                decoded += 1
            }
        }
        #expect(decoded < 20_000)
    }
}
