import AuthKitClock
import AuthKitTesting
import Testing
import TokenStore

@testable import AuthKitRedis

/// What a mirror makes of a poll's packed entries: every kind the scripts write, and a clear error — never a guess or
/// a crash — for anything else.
@Suite("RevocationFeedDecoder")
struct RevocationFeedDecoderTests {
    private static func packed(_ values: [String]) -> [UInt8] {
        values.flatMap { Array("\($0.utf8.count):\($0)".utf8) }
    }

    private static func entry(_ id: String, _ fields: [String]) -> [String] {
        [id, String(fields.count)] + fields
    }

    @Test("every kind of entry reads back as written")
    func kinds() throws {
        let bytes = Self.packed(
            Self.entry("1-0", ["k", "b", "t", "1000"])
                + Self.entry("2-0", ["k", "r", "u", "ann", "j", "j:1", "x", "5000"])
                + Self.entry("2-1", ["k", "e", "u", "bo", "a", "2000", "x", "9000"])
                + Self.entry("3-0", ["k", "s", "u", "ann", "s", "sid 1", "t", "3000"])
        )
        let entries = try RevocationFeedDecoder.entries(bytes)
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
        #expect(try RevocationFeedDecoder.entries([]).isEmpty)
    }

    @Test(
        "an entry this version cannot read is an error",
        arguments: [
            ["1-0", "4", "k", "z", "u", "ann"],  // unknown kind
            ["1-0", "4", "k", "r", "u", "ann"],  // missing fields
            ["1-0", "6", "k", "r", "u", "ann", "j", "x"],  // truncated: fewer values than counted
            ["1-0", "8", "k", "r", "u", "ann", "j", "j1", "x", "soon"],  // unparsable instant
            ["1-0", "8", "k", "r", "u", "", "j", "j1", "x", "5"],  // empty user
            ["1-0", "3", "k", "b", "t"],  // odd count
            ["1-0", "many"],
        ]
    )
    func unreadable(values: [String]) {
        #expect(throws: RevocationFeedDecoder.DecodeError.self) {
            try RevocationFeedDecoder.entries(Self.packed(values))
        }
    }

    @Test("no byte sequence crashes the decoder")
    func arbitraryBytes() {
        var generator = SeededGenerator(seed: 0xFEED)
        let valid = Self.packed(Self.entry("2-0", ["k", "r", "u", "ann", "j", "j1", "x", "5000"]))
        var decoded = 0
        for round in 0..<20_000 {
            var bytes = valid
            if round % 2 == 0 {
                bytes = (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            } else {
                for _ in 0...(generator.next() % 4) {
                    let index = Int(generator.next() % UInt64(bytes.count))
                    bytes[index] = UInt8(truncatingIfNeeded: generator.next())
                }
                bytes = Array(bytes.prefix(Int(generator.next() % UInt64(bytes.count + 1))))
            }
            if (try? RevocationFeedDecoder.entries(bytes)) != nil {
                decoded += 1
            }
        }
        #expect(decoded < 20_000)
    }
}
