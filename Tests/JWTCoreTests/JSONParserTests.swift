import AuthKitTesting
import Testing

@testable import JWTCore

@Suite("JSONParser")
struct JSONParserTests {
    private func parse(_ text: String, depth: Int = 16) throws(JWTError) -> JSONValue {
        try JSONValue(parsing: text, maxNestingDepth: depth)
    }

    private func code(_ text: String, depth: Int = 16) -> JWTError.Code? {
        do {
            _ = try parse(text, depth: depth)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5, 3e2, true, false, null], "b": "x\u00e9\n\ud83d\ude00", "c": {}} "#)
        let object = try #require(value.objectValue)
        #expect(object["a"] == [1, -2.5, 300, true, false, nil])
        #expect(object["b"] == .string("xé\n😀"))
        #expect(object["c"] == .object([:]))
        #expect(object.members.map(\.name) == ["a", "b", "c"])
    }

    @Test(arguments: [
        #"{"a":1,"a":2}"#,
        #"{"a":1,"\u0061":2}"#,  // duplicate once unescaped
        #"{"x":{"k":1,"k":1}}"#,
    ])
    func rejectsDuplicateMembers(text: String) {
        #expect(code(text) == .duplicateMember)
    }

    @Test func rejectsDuplicatesInLargeObjects() {
        let members = (0..<40).map { "\"m\($0)\":\($0)" } + ["\"m7\":0"]
        #expect(code("{" + members.joined(separator: ",") + "}") == .duplicateMember)
    }

    @Test func capsNestingDepth() {
        #expect(code(String(repeating: "[", count: 5) + String(repeating: "]", count: 5), depth: 5) == nil)
        #expect(code(String(repeating: "[", count: 6) + String(repeating: "]", count: 6), depth: 5) == .nestingTooDeep)
        // A hostile depth far past the cap fails fast instead of recursing.
        #expect(code(String(repeating: "[", count: 100_000)) == .nestingTooDeep)
    }

    @Test(arguments: [
        "", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "01", "-", "1.", "1e", ".5", "+1",
        "tru", "nul", "NaN", "Infinity", "1e400", "\"\u{01}\"", "\"abc", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"",
        "\"\\ud800\\u0041\"", "{\"a\":1} x", "\u{FEFF}{}", "'a'", "{a:1}",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(code(text) == .malformed)
    }

    @Test func rejectsInvalidUTF8InStrings() throws {
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22]] {
            #expect(throws: JSONParser.Failure.self) {
                try bytes.withUnsafeBytes { try JSONParser.parse($0, maxDepth: 4) }
            }
        }
    }

    @Test func writesCompactDeterministicJSON() throws {
        let object: JSONObject = ["b": 1, "a": [true, nil, 1.5], "s": "q\"\\/\u{01}é"]
        #expect(try JSONValue.object(object).jsonText() == #"{"b":1,"a":[true,null,1.5],"s":"q\"\\/\u0001é"}"#)
        #expect(throws: JWTError.self) { try JSONValue.number(.nan).jsonText() }
    }

    @Test func writerOutputParsesBackToTheSameValue() throws {
        let value: JSONValue = ["n": -12_345_678_901, "f": 0.1, "e": 1e300, "s": "\u{7F}\t", "o": ["x": []]]
        #expect(try parse(try value.jsonText()) == value)
    }
}

/// The parser's fast paths (ASCII strings, fingerprinted duplicate checks) must agree with the strict rules.
@Suite("JSONParser fast paths")
struct JSONParserFastPathTests {
    private func parse(_ text: String) throws -> JSONObject {
        try JSONParser.parseObject(Array(text.utf8), maxDepth: 16, what: "test")
    }

    @Test func duplicatesAreFoundWhateverTheSpelling() throws {
        #expect(throws: JWTError.self) { try parse(#"{"iss":1,"sub":2,"iss":3}"#) }
        #expect(throws: JWTError.self) { try parse(#"{"a":1,"\u0061":2}"#) }
        #expect(throws: JWTError.self) { try parse(#"{"é":1,"\u00e9":2}"#) }
        #expect(try parse(#"{"ab":1,"ba":2,"a":3,"b":4}"#).count == 4)
    }

    @Test func manyMembersStillFindDuplicates() throws {
        let members = (0..<40).map { "\"m\($0)\":\($0)" }.joined(separator: ",")
        #expect(try parse("{\(members)}").count == 40)
        #expect(throws: JWTError.self) { try parse("{\(members),\"m7\":0}") }
    }

    @Test func nonASCIIStringsAreStillValidated() throws {
        #expect(try parse(#"{"s":"héllo ✓"}"#)["s"] == "héllo ✓")
        var bad = Array(#"{"s":"x"}"#.utf8)
        bad[6] = 0xC0
        #expect(throws: JWTError.self) { try JSONParser.parseObject(bad, maxDepth: 16, what: "test") }
    }

    /// The eight-bytes-at-a-time scan inside strings against a byte-by-byte look, over random words and words with
    /// each special byte (and its neighbours) at each position.
    @Test func wordScanFindsExactlyTheSpecialBytes() {
        func special(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80
        }
        func naive(_ word: UInt64) -> Bool {
            (0..<8).contains { special(UInt8(truncatingIfNeeded: word >> (8 * $0))) }
        }
        var random = SeededGenerator(seed: 0x5343_414E)
        var words: [UInt64] = (0..<20_000).map { _ in random.next() }
        let bytes: [UInt64] = [
            0x00, 0x01, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xC3, 0xFF,
        ]
        for byte in bytes {
            for position in 0..<8 {
                let shift = UInt64(8 * position)
                words.append(0x6161_6161_6161_6161 & ~(0xFF << shift) | byte << shift)
                words.append(0x2020_2020_2020_2020 & ~(0xFF << shift) | byte << shift)
            }
        }
        for word in words {
            #expect(JSONParser.holdsSpecialByte(word) == naive(word), "\(String(word, radix: 16))")
        }
    }

    /// Strings long enough for the word scan, with an escape, a non-ASCII character, a closing quote or a control
    /// character at every position: each is found where it is.
    @Test func stringsWithASpecialByteAnywhere() throws {
        for length in [7, 8, 9, 16, 23, 40] {
            for position in 0...length {
                let before = String(repeating: "a", count: position)
                let after = String(repeating: "b", count: length - position)
                #expect(try parse(#"{"s":"\#(before)\n\#(after)"}"#)["s"] == .string(before + "\n" + after))
                #expect(try parse(#"{"s":"\#(before)é\#(after)"}"#)["s"] == .string(before + "é" + after))
                #expect(try parse(#"{"s":"\#(before)","t":"\#(after)"}"#)["s"] == .string(before))
                #expect(throws: JWTError.self) { try parse("{\"s\":\"\(before)\u{01}\(after)\"}") }
            }
        }
    }

    /// The one-pass reading of short integers against the general number grammar: wherever it answers, the general
    /// path gives the same value and stops at the same byte; wherever it does not, it has not moved.
    @Test func shortIntegersAgreeWithTheGeneralPath() {
        var random = SeededGenerator(seed: 0x4E55_4D42)
        var texts = [
            "0", "-0", "00", "01", "-01", "7", "-", "1.5", "1e3", "1E3", "123456789012345", "1234567890123456",
            "-123456789012345", "999999999999999,", "1700000600}", "1.", "0x", "-9", "10",
        ]
        let alphabet = Array("0123456789-.eE+,} ")
        for _ in 0..<5_000 {
            let length = Int.random(in: 1...20, using: &random)
            texts.append(String((0..<length).map { _ in alphabet.randomElement(using: &random) ?? "0" }))
        }
        var answered = 0
        for text in texts {
            Array(text.utf8).withUnsafeBytes { buffer in
                guard let first = buffer.first, first == UInt8(ascii: "-") || (0x30...0x39).contains(first) else {
                    return
                }
                var fast = JSONParser(bytes: buffer, maxDepth: 16)
                var general = JSONParser(bytes: buffer, maxDepth: 16)
                let expected = try? general.parseAnyNumber()
                if let value = fast.parseShortInteger() {
                    answered += 1
                    #expect(expected == value && general.index == fast.index, "\(text)")
                } else {
                    #expect(fast.index == 0, "\(text)")
                }
            }
        }
        #expect(answered > 500)
    }
}

/// Limits that keep hostile input cheap to refuse.
@Suite("JSONParser limits")
struct JSONParserLimitTests {
    @Test func longNumbersAreRefused() throws {
        let long = String(repeating: "9", count: JSONParser.maxNumberLength + 1)
        #expect(throws: JWTError.self) {
            try JSONParser.parseObject(Array(#"{"n":\#(long)}"#.utf8), maxDepth: 16, what: "test")
        }
        let fits = "1." + String(repeating: "5", count: JSONParser.maxNumberLength - 2)
        let object = try JSONParser.parseObject(Array(#"{"n":\#(fits)}"#.utf8), maxDepth: 16, what: "test")
        #expect(object["n"]?.numberValue == Double(fits))
    }

    @Test func longHeadersAreRefusedBeforeDecoding() throws {
        let padding = String(repeating: "a", count: CompactJWS.maxHeaderSegmentLength)
        let token = try TestTokens.make(
            header: #"{"alg":"HS256","pad":"\#(padding)"}"#,
            payload: #"{"exp":1700000600}"#
        )
        let verifier = try TestTokens.verifier()
        #expect(throws: JWTError.self) { try verifier.verify(token) }
        do {
            _ = try verifier.verify(token)
        } catch {
            #expect(error.code == .tokenTooLarge)
        }
    }
}
