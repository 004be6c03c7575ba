public import AuthKitClock

/// The claims of a token: the registered ones (RFC 7519 §4.1) typed, everything else in ``custom``.
///
/// The values live in one shared box, copied on write: a claim set is passed and returned by value through every
/// verification (out of the parser, into ``VerifiedJWT``, out of it to the application), and copying one reference
/// costs one retain where copying eight members cost a retain each and a copy of some 150 bytes.
public struct JWTClaims: Sendable, Hashable {
    /// The claims' values. `@unchecked Sendable`: a box is written only while its one claim set holds the only
    /// reference to it (``makeUnique()`` copies a shared box first), so no two threads see a box that changes.
    private final class Storage: @unchecked Sendable {
        var issuer: String?
        var subject: String?
        /// `aud`, with a single audience (most tokens have one) kept as its string: reading a token then makes no
        /// array the application may never ask for.
        var audience: Audience?
        var expiresAt: UnixTime?
        var notBefore: UnixTime?
        var issuedAt: UnixTime?
        var id: String?
        var custom = JSONObject()

        func copy() -> Storage {
            let copy = Storage()
            copy.issuer = issuer
            copy.subject = subject
            copy.audience = audience
            copy.expiresAt = expiresAt
            copy.notBefore = notBefore
            copy.issuedAt = issuedAt
            copy.id = id
            copy.custom = custom
            return copy
        }
    }

    /// A claim set's `aud`: one audience, or a list of any other length. A one-element list is always stored as
    /// ``one(_:)``, so equal audiences have equal representations.
    private enum Audience: Hashable {
        case one(String)
        case list([String])

        init(_ list: [String]) {
            self = list.count == 1 ? .one(list[0]) : .list(list)
        }

        var list: [String] {
            switch self {
            case .one(let audience): [audience]
            case .list(let list): list
            }
        }
    }

    private var storage: Storage

    /// Copies the box first when another claim set shares it. Setters then write through ``storage`` in place.
    private mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
    }

    /// `iss`: who issued the token.
    public var issuer: String? {
        get { storage.issuer }
        set {
            makeUnique()
            storage.issuer = newValue
        }
    }
    /// `sub`: whom the token is about.
    public var subject: String? {
        get { storage.subject }
        set {
            makeUnique()
            storage.subject = newValue
        }
    }
    /// `aud`: who the token is for; written as a string when it has one element.
    public var audience: [String]? {
        get { storage.audience?.list }
        set {
            makeUnique()
            storage.audience = newValue.map(Audience.init)
        }
    }
    /// `exp`: the instant from which the token is no longer accepted.
    public var expiresAt: UnixTime? {
        get { storage.expiresAt }
        set {
            makeUnique()
            storage.expiresAt = newValue
        }
    }
    /// `nbf`: the instant before which the token is not accepted.
    public var notBefore: UnixTime? {
        get { storage.notBefore }
        set {
            makeUnique()
            storage.notBefore = newValue
        }
    }
    /// `iat`: when the token was issued.
    public var issuedAt: UnixTime? {
        get { storage.issuedAt }
        set {
            makeUnique()
            storage.issuedAt = newValue
        }
    }
    /// `jti`: the token's unique ID, the handle for revoking it.
    public var id: String? {
        get { storage.id }
        set {
            makeUnique()
            storage.id = newValue
        }
    }
    /// Every other claim, in order.
    public var custom: JSONObject {
        get { storage.custom }
        set {
            makeUnique()
            storage.custom = newValue
        }
    }

    /// The registered claim names, which ``custom`` never holds.
    public static let registeredNames: Set<String> = ["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]

    /// Creates a claim set.
    public init(
        issuer: String? = nil,
        subject: String? = nil,
        audience: [String]? = nil,
        expiresAt: UnixTime? = nil,
        notBefore: UnixTime? = nil,
        issuedAt: UnixTime? = nil,
        id: String? = nil,
        custom: JSONObject = JSONObject()
    ) {
        let storage = Storage()
        storage.issuer = issuer
        storage.subject = subject
        storage.audience = audience.map(Audience.init)
        storage.expiresAt = expiresAt
        storage.notBefore = notBefore
        storage.issuedAt = issuedAt
        storage.id = id
        storage.custom = custom
        self.storage = storage
    }

    /// Claim sets are equal when every claim is.
    public static func == (lhs: JWTClaims, rhs: JWTClaims) -> Bool {
        let left = lhs.storage
        let right = rhs.storage
        return left === right
            || (left.issuer == right.issuer && left.subject == right.subject && left.audience == right.audience
                && left.expiresAt == right.expiresAt && left.notBefore == right.notBefore
                && left.issuedAt == right.issuedAt && left.id == right.id && left.custom == right.custom)
    }

    /// Hashes every claim.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.issuer)
        hasher.combine(storage.subject)
        hasher.combine(storage.audience)
        hasher.combine(storage.expiresAt)
        hasher.combine(storage.notBefore)
        hasher.combine(storage.issuedAt)
        hasher.combine(storage.id)
        hasher.combine(storage.custom)
    }

    /// A custom claim by name.
    public subscript(name: String) -> JSONValue? {
        get { storage.custom[name] }
        set {
            makeUnique()
            storage.custom[name] = newValue
        }
    }

    /// Whether `aud` holds an audience that satisfies `accepted`; `false` without `aud`.
    func containsAudience(where accepted: (String) -> Bool) -> Bool {
        switch storage.audience {
        case .one(let audience): accepted(audience)
        case .list(let list): list.contains(where: accepted)
        case nil: false
        }
    }

    /// Whether the claim called `name` is present.
    public func contains(_ name: String) -> Bool {
        guard let claim = Registered(name) else { return containsCustom(name) }
        return contains(claim)
    }

    /// Whether the custom claim called `name` is present, found without copying it out.
    func containsCustom(_ name: String) -> Bool {
        storage.custom.containsMember(named: name)
    }

    /// Whether the registered claim is present.
    func contains(_ claim: Registered) -> Bool {
        registeredPresence & claim.bit != 0
    }

    /// The registered claims present, each as its ``Registered/bit``: a verifier checks all its required claims
    /// against it at once.
    var registeredPresence: UInt8 {
        let storage = storage
        var bits: UInt8 = 0
        if storage.issuer != nil { bits |= Registered.iss.bit }
        if storage.subject != nil { bits |= Registered.sub.bit }
        if storage.audience != nil { bits |= Registered.aud.bit }
        if storage.expiresAt != nil { bits |= Registered.exp.bit }
        if storage.notBefore != nil { bits |= Registered.nbf.bit }
        if storage.issuedAt != nil { bits |= Registered.iat.bit }
        if storage.id != nil { bits |= Registered.jti.bit }
        return bits
    }

    /// Reads and type-checks the registered claims of a payload object.
    init(payload: JSONObject) throws(JWTError) {
        self.init()
        var custom: [JSONObject.Member] = []
        custom.reserveCapacity(payload.count)
        for member in payload {
            if let claim = Registered(member.name) {
                try set(claim, member.value)
            } else {
                custom.append(member)
            }
        }
        self.custom = JSONObject(uncheckedMembers: custom)
    }

    /// Type-checks `value` for the registered claim and stores it in its typed property.
    mutating func set(_ claim: Registered, _ value: JSONValue) throws(JWTError) {
        switch claim {
        case .iss: issuer = try Self.string(value, "iss")
        case .sub: subject = try Self.string(value, "sub")
        case .jti: id = try Self.string(value, "jti")
        case .aud: audience = try Self.audience(value)
        case .exp: expiresAt = try Self.numericDate(value, "exp")
        case .nbf: notBefore = try Self.numericDate(value, "nbf")
        case .iat: issuedAt = try Self.numericDate(value, "iat")
        }
    }

    /// Stores a string found as the value of the registered claim, as ``set(_:_:)`` stores a `.string` (`aud` as a
    /// one-element list) but without making the `JSONValue`; `false`, storing nothing, for the NumericDate claims,
    /// whose values are never strings.
    mutating func set(_ claim: Registered, string: String) -> Bool {
        switch claim {
        case .iss: issuer = string
        case .sub: subject = string
        case .jti: id = string
        case .aud:
            makeUnique()
            storage.audience = .one(string)
        case .exp, .nbf, .iat: return false
        }
        return true
    }

    /// The largest NumericDate accepted: 9999-12-31T23:59:59Z.
    static let maxNumericDate: Double = 253_402_300_799

    private static func string(_ value: JSONValue, _ name: String) throws(JWTError) -> String {
        guard let string = value.stringValue else {
            throw JWTError(.invalidClaim, "\"\(name)\" is not a string")
        }
        return string
    }

    private static func audience(_ value: JSONValue) throws(JWTError) -> [String] {
        switch value {
        case .string(let single):
            return [single]
        case .array(let list):
            var audiences: [String] = []
            for element in list {
                guard let audience = element.stringValue else {
                    throw JWTError(.invalidClaim, "\"aud\" holds something other than a string")
                }
                audiences.append(audience)
            }
            return audiences
        default:
            throw JWTError(.invalidClaim, "\"aud\" is neither a string nor an array of strings")
        }
    }

    private static func numericDate(_ value: JSONValue, _ name: String) throws(JWTError) -> UnixTime {
        guard let seconds = value.numberValue else {
            throw JWTError(.invalidClaim, "\"\(name)\" is not a JSON number")
        }
        guard seconds.isFinite, seconds >= 0, seconds <= maxNumericDate else {
            throw JWTError(.invalidClaim, "\"\(name)\" is outside 1970-01-01...9999-12-31")
        }
        // Whole seconds (nearly every token) skip the costly conversion of a Double to a Duration.
        if let whole = Int64(exactly: seconds) { return UnixTime(seconds: whole) }
        return UnixTime(sinceEpoch: .seconds(seconds))
    }

    /// Writes the payload JSON straight to `output`, byte for byte what writing ``payloadObject()`` gives, without
    /// building the intermediate object (signing is on the hot path of every login and refresh).
    func writePayload(to output: inout [UInt8]) throws(JWTError) {
        output.append(UInt8(ascii: "{"))
        var first = true
        func name(_ text: StaticString, _ output: inout [UInt8]) {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            output.append(UInt8(ascii: "\""))
            text.withUTF8Buffer { output.append(contentsOf: $0) }
            output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        if let issuer {
            name("iss", &output)
            JSONWriter.writeString(issuer, to: &output)
        }
        if let subject {
            name("sub", &output)
            JSONWriter.writeString(subject, to: &output)
        }
        if let audience {
            name("aud", &output)
            if audience.count == 1 {
                JSONWriter.writeString(audience[0], to: &output)
            } else {
                output.append(UInt8(ascii: "["))
                for (position, element) in audience.enumerated() {
                    if position > 0 { output.append(UInt8(ascii: ",")) }
                    JSONWriter.writeString(element, to: &output)
                }
                output.append(UInt8(ascii: "]"))
            }
        }
        if let expiresAt {
            name("exp", &output)
            try JSONWriter.writeNumber(Double(expiresAt.seconds), to: &output)
        }
        if let notBefore {
            name("nbf", &output)
            try JSONWriter.writeNumber(Double(notBefore.seconds), to: &output)
        }
        if let issuedAt {
            name("iat", &output)
            try JSONWriter.writeNumber(Double(issuedAt.seconds), to: &output)
        }
        if let id {
            name("jti", &output)
            JSONWriter.writeString(id, to: &output)
        }
        for member in custom {
            guard !Self.isRegistered(member.name) else {
                throw JWTError(.invalidClaim, "the registered claim \"\(member.name)\" belongs in its typed property")
            }
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            JSONWriter.writeString(member.name, to: &output)
            output.append(UInt8(ascii: ":"))
            try JSONWriter.write(member.value, to: &output)
        }
        output.append(UInt8(ascii: "}"))
    }

    /// Whether `name` is a registered claim: a switch, cheaper than hashing into ``registeredNames``.
    static func isRegistered(_ name: String) -> Bool {
        Registered(name) != nil
    }

    /// The payload object in AuthKit's fixed order: iss, sub, aud, exp, nbf, iat, jti, then custom claims.
    /// NumericDates are written as whole seconds.
    func payloadObject() throws(JWTError) -> JSONObject {
        var members: [JSONObject.Member] = []
        members.reserveCapacity(7 + custom.count)
        if let issuer { members.append(JSONObject.Member("iss", .string(issuer))) }
        if let subject { members.append(JSONObject.Member("sub", .string(subject))) }
        if let audience {
            members.append(
                JSONObject.Member(
                    "aud",
                    audience.count == 1 ? .string(audience[0]) : .array(audience.map { .string($0) })
                )
            )
        }
        if let expiresAt { members.append(JSONObject.Member("exp", .number(Double(expiresAt.seconds)))) }
        if let notBefore { members.append(JSONObject.Member("nbf", .number(Double(notBefore.seconds)))) }
        if let issuedAt { members.append(JSONObject.Member("iat", .number(Double(issuedAt.seconds)))) }
        if let id { members.append(JSONObject.Member("jti", .string(id))) }
        for member in custom {
            guard !Self.registeredNames.contains(member.name) else {
                throw JWTError(.invalidClaim, "the registered claim \"\(member.name)\" belongs in its typed property")
            }
            members.append(member)
        }
        return JSONObject(uncheckedMembers: members)
    }
}
