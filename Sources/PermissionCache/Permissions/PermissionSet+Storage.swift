extension PermissionSet {
    /// The set as one string for a store: each grant as `<UTF-8 length>:<grant>`, sorted, concatenated.
    ///
    /// Length prefixes rather than separators, so that no grant can forge or hide another whatever it contains.
    public var storageEncoding: String {
        grants.sorted().map { "\($0.utf8.count):\($0)" }.joined()
    }

    /// Decodes a string made by ``storageEncoding``.
    ///
    /// - Throws: ``PermissionCacheError/Code/corruptEntry`` when the string is not in that form.
    public init(storageEncoding encoded: String) throws(PermissionCacheError) {
        var grants: [String] = []
        var rest = Substring(encoded).utf8[...]
        while !rest.isEmpty {
            guard let colon = rest.firstIndex(of: UInt8(ascii: ":")),
                let length = Int(Substring(rest[..<colon])), length >= 0
            else {
                throw PermissionCacheError(.corruptEntry, "stored permission set has a bad length prefix")
            }
            let start = rest.index(after: colon)
            guard let end = rest.index(start, offsetBy: length, limitedBy: rest.endIndex),
                let grant = String(rest[start..<end])
            else {
                throw PermissionCacheError(.corruptEntry, "stored permission set is truncated")
            }
            grants.append(grant)
            rest = rest[end...]
        }
        self.init(grants)
    }
}
