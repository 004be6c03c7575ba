extension JSONParser {
    /// Parses a payload that must hold exactly one JSON object, with the same strictness as
    /// ``parseObject(_:maxDepth:what:)`` (duplicates after unescaping, depth, UTF-8, numbers), into claims:
    /// registered claims go to their typed properties without an intermediate object, and the payload's full
    /// object is never built.
    static func parseClaims(_ payload: [UInt8], maxDepth: Int) throws(JWTError) -> JWTClaims {
        let outcome = payload.withUnsafeBytes { bytes -> Result<JWTClaims, JWTError> in
            do throws(JWTError) {
                return .success(try parseClaims(bytes, maxDepth: maxDepth))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// ``parseClaims(_:maxDepth:)-([UInt8],_)`` over borrowed bytes.
    static func parseClaims(_ bytes: UnsafeRawBufferPointer, maxDepth: Int) throws(JWTError) -> JWTClaims {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "{") else {
            // Not an object: the general parser finds and names what is wrong with it.
            _ = try parseObject(bytes, maxDepth: maxDepth, what: "payload")
            throw JWTError(.malformed, "payload is not a JSON object")
        }
        // The claims are built in place (a claim set moved through return values is copied member by member), and
        // the first registered claim found with the wrong type is reported only once the whole payload has parsed,
        // so a payload that is not valid JSON is always refused as such, whatever its claims.
        var claims = JWTClaims()
        var claimError: JWTError?
        do throws(Failure) {
            try parser.parseClaimsBody(into: &claims, claimError: &claimError)
            parser.skipWhitespace()
            if parser.index != bytes.count {
                throw parser.failure("unexpected data after the JSON value")
            }
        } catch {
            throw JWTError(error.code, "payload: \(error.message)")
        }
        if let claimError { throw claimError }
        return claims
    }

    private mutating func parseClaimsBody(
        into claims: inout JWTClaims,
        claimError: inout JWTError?
    ) throws(Failure) {
        var seen: UInt8 = 0
        var custom: [JSONObject.Member] = []
        var names: Set<String>? = nil
        try withUnsafeTemporaryAllocation(of: UInt64.self, capacity: Self.linearScanLimit) {
            (fingerprints) throws(Failure) in
            try parseMembers { (parser) throws(Failure) in
                var claim = parser.plainRegisteredName()
                var name = ""
                if claim == nil {
                    // Escaped spellings of a registered name ("\u0069ss") are recognised once unescaped. A name
                    // written in three plain bytes was already looked up by `plainRegisteredName`.
                    let opening = parser.index
                    name = try parser.parseString()
                    let escaped = parser.index - opening > 5
                    claim = escaped && name.utf8.count == 3 ? JWTClaims.Registered(name) : nil
                }
                if let claim {
                    guard seen & claim.bit == 0 else {
                        throw parser.failure("duplicate member name \"\(claim.name)\"", code: .duplicateMember)
                    }
                    seen |= claim.bit
                    try parser.parseColon()
                    // A string goes straight to its typed property; anything else goes through a JSONValue, which
                    // ``JWTClaims/set(_:_:)`` type-checks.
                    if parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") {
                        let string = try parser.parseString()
                        guard claimError == nil, !claims.set(claim, string: string) else { return }
                        // A NumericDate given as a string: `set` refuses it with its own error.
                        do throws(JWTError) {
                            try claims.set(claim, .string(string))
                        } catch {
                            claimError = error
                        }
                        return
                    }
                    let value = try parser.parseValue()
                    if claimError == nil {
                        do throws(JWTError) {
                            try claims.set(claim, value)
                        } catch {
                            claimError = error
                        }
                    }
                    return
                }
                try parser.parseMember(named: name, into: &custom, fingerprints: fingerprints, names: &names)
            }
        }
        claims.custom = JSONObject(uncheckedMembers: custom)
    }

    /// On a member name's opening quote: when the name is exactly three plain characters naming a registered
    /// claim, consumes it and returns the claim without making a string. Anything else leaves the parser where it
    /// was and answers `nil`.
    private mutating func plainRegisteredName() -> JWTClaims.Registered? {
        let start = index + 1
        guard start + 3 < bytes.count, bytes[start + 3] == UInt8(ascii: "\"") else { return nil }
        var key: UInt32 = 0
        for offset in 0..<3 {
            let byte = bytes[start + offset]
            guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\"), byte != UInt8(ascii: "\"") else {
                return nil
            }
            key = key << 8 | UInt32(byte)
        }
        guard let claim = JWTClaims.Registered(key: key) else { return nil }
        index = start + 4
        return claim
    }
}
