/// A JSON value as JWTCore's strict parser reads it: objects keep their member order, numbers are `Double`.
public enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string this value holds, or `nil` for any other kind of value.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number this value holds, or `nil` for any other kind of value.
    public var numberValue: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The Boolean this value holds, or `nil` for any other kind of value.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The elements of this array, or `nil` for any other kind of value.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The members of this object, or `nil` for any other kind of value.
    public var objectValue: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }
}

/// A JSON object whose member names are unique and whose members keep the order they were written in.
public struct JSONObject: Hashable, Sendable, Sequence {
    /// One name and its value.
    public struct Member: Hashable, Sendable {
        /// The member name.
        public var name: String
        /// The member value.
        public var value: JSONValue

        /// Creates a member.
        public init(_ name: String, _ value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    /// The members, in order.
    public private(set) var members: [Member]

    /// Creates an empty object.
    public init() {
        members = []
    }

    init(uncheckedMembers: [Member]) {
        members = uncheckedMembers
    }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether the object has no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The value of the member called `name`; setting `nil` removes it, setting a value replaces or appends.
    public subscript(name: String) -> JSONValue? {
        get {
            for member in members where member.name == name {
                return member.value
            }
            return nil
        }
        set {
            if let index = members.firstIndex(where: { $0.name == name }) {
                if let newValue {
                    members[index].value = newValue
                } else {
                    members.remove(at: index)
                }
            } else if let newValue {
                members.append(Member(name, newValue))
            }
        }
    }

    /// Whether a member is called `name`, found without copying its value.
    func containsMember(named name: String) -> Bool {
        members.contains { $0.name == name }
    }

    /// Iterates over the members in order.
    public func makeIterator() -> IndexingIterator<[Member]> {
        members.makeIterator()
    }

}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Creates an object from literal members; a repeated name keeps its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init()
        for (name, value) in elements {
            self[name] = value
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByNilLiteral, ExpressibleByDictionaryLiteral
{
    /// Creates the value from a string literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// Creates the value from an integer literal.
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    /// Creates the value from a Boolean literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// Creates the value from a floating-point literal.
    public init(floatLiteral value: Double) { self = .number(value) }
    /// Creates the value from an array literal.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Creates the JSON `null` value.
    public init(nilLiteral: ()) { self = .null }
    /// Creates the value from a dictionary literal.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (name, value) in elements { object[name] = value }
        self = .object(object)
    }
}
