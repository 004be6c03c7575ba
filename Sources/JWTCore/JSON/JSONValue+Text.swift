/// Reading and writing JSON text with JWTCore's strict parser and deterministic writer.
extension JSONValue {
    /// Parses JSON text strictly (duplicate members, depth, UTF-8 and number rules as for tokens).
    public init(parsing text: String, maxNestingDepth: Int = 16) throws(JWTError) {
        let bytes = Array(text.utf8)
        let result = bytes.withUnsafeBytes { buffer -> Result<JSONValue, JSONParser.Failure> in
            do throws(JSONParser.Failure) {
                return .success(try JSONParser.parse(buffer, maxDepth: maxNestingDepth))
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let value): self = value
        case .failure(let failure): throw JWTError(failure.code, failure.message)
        }
    }

    /// The compact JSON text of this value; members keep their order.
    public func jsonText() throws(JWTError) -> String {
        try JSONWriter.string(self)
    }
}

extension JWTClaims {
    /// Reads a claim set from a JSON object, type-checking the registered claims.
    public init(json object: JSONObject) throws(JWTError) {
        try self.init(payload: object)
    }
}
