extension JWTClaims {
    /// The seven registered claim names (RFC 7519 §4.1), recognised from their three UTF-8 bytes.
    ///
    /// Matching a name is one integer switch instead of up to seven string comparisons, which are slow exactly
    /// when they fail (the common case) and would run for every member of every payload.
    enum Registered: UInt8, CaseIterable {
        case iss, sub, aud, exp, nbf, iat, jti

        /// The claim whose name packs (big-endian) to `key`, or `nil`.
        init?(key: UInt32) {
            switch key {
            case 0x69_7373: self = .iss
            case 0x73_7562: self = .sub
            case 0x61_7564: self = .aud
            case 0x65_7870: self = .exp
            case 0x6E_6266: self = .nbf
            case 0x69_6174: self = .iat
            case 0x6A_7469: self = .jti
            default: return nil
            }
        }

        /// The claim called `name`, or `nil`.
        init?(_ name: String) {
            var key: UInt32 = 0
            var count = 0
            for byte in name.utf8 {
                count += 1
                if count > 3 { return nil }
                key = key << 8 | UInt32(byte)
            }
            guard count == 3 else { return nil }
            self.init(key: key)
        }

        /// The claim's bit in a set of claims seen.
        var bit: UInt8 { 1 << rawValue }

        /// The claim's name.
        var name: String {
            switch self {
            case .iss: "iss"
            case .sub: "sub"
            case .aud: "aud"
            case .exp: "exp"
            case .nbf: "nbf"
            case .iat: "iat"
            case .jti: "jti"
            }
        }
    }
}
