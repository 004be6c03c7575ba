import Testing
@_spi(TokenStoreImplementation) import TokenStore

@Suite("RefreshToken")
struct RefreshTokenTests {
    @Test("an issued token parses back to its user and session", arguments: ["42", "a}:b{", "é", "u\u{0}v", "💥"])
    func roundTrip(userID: String) throws {
        let sessionID = Session.newID()
        let token = RefreshToken.issue(userID: userID, sessionID: sessionID)
        let parsed = try #require(RefreshToken(parsing: token.text))
        #expect(Array(parsed.userID.utf8) == Array(userID.utf8))
        #expect(parsed.sessionID == sessionID)
        #expect(parsed.digest == token.digest)
        #expect(token.digest.count == 32)
        #expect(token.text.hasPrefix("akr1."))
    }

    @Test("the digest binds the whole text, and equal digests compare equal")
    func digest() throws {
        let token = RefreshToken.issue(userID: "42", sessionID: Session.newID())
        let other = RefreshToken.issue(userID: "42", sessionID: token.sessionID)
        #expect(!RefreshToken.digestsEqual(token.digest, other.digest))
        #expect(RefreshToken.digestsEqual(token.digest, token.digest))
        #expect(!RefreshToken.digestsEqual(token.digest, Array(token.digest.prefix(31))))
    }

    @Test("malformed tokens are rejected")
    func malformed() {
        let good = RefreshToken.issue(userID: "42", sessionID: Session.newID()).text
        let parts = good.split(separator: ".").map(String.init)
        let samples = [
            "", ".", "akr1", "akr2.\(parts[1]).\(parts[2]).\(parts[3])", "\(good).x",
            "akr1.\(parts[1]).\(parts[2]).\(parts[3].dropLast())",
            "akr1.\(parts[1]).\(parts[2].dropLast(2)).\(parts[3])",
            "akr1..\(parts[2]).\(parts[3])",
            "akr1.\(parts[1]).\(parts[2]).\(parts[3])=",
            "akr1.__8.\(parts[2]).\(parts[3])",
            String(repeating: "a", count: 600),
        ]
        for sample in samples {
            #expect(RefreshToken(parsing: sample) == nil, "accepted \(sample.debugDescription)")
        }
        #expect(RefreshToken(parsing: good) != nil)
    }

    @Test("the description never shows the secret")
    func redacted() {
        let token = RefreshToken.issue(userID: "42", sessionID: Session.newID())
        let secret = String(token.text.split(separator: ".")[3])
        #expect(!token.description.contains(secret))
        #expect(!"\(token)".contains(secret))
    }
}
