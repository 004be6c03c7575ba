import PermissionCache
import Testing

@Suite("PermissionSet")
struct PermissionSetTests {
    @Test(
        "wildcard grants cover what they should and nothing else",
        arguments: [
            (["orders:*"], "orders:read", true),
            (["orders:*"], "orders:items:delete", true),
            (["orders:*"], "orders", false),
            (["orders:*"], "ordersx:read", false),
            (["orders:*"], "orders:", false),
            (["orders:items:*"], "orders:read", false),
            (["orders:items:*"], "orders:items:read", true),
            (["*"], "anything:at:all", true),
            (["orders:read"], "orders:write", false),
            (["orders:read"], "orders:read", true),
            (["orders:*:read"], "orders:x:read", false),
            (["orders:read"], "orders:*", false),
            (["orders:*"], "orders:*", true),
        ] as [([String], String, Bool)]
    )
    func matching(grants: [String], query: String, expected: Bool) {
        #expect(PermissionSet(grants).contains(query) == expected)
    }

    @Test("containsAll and containsAny")
    func combinations() {
        let set: PermissionSet = ["orders:*", "users:read"]
        #expect(set.containsAll(["orders:read", "orders:write", "users:read"]))
        #expect(!set.containsAll(["orders:read", "users:write"]))
        #expect(set.containsAll([String]()))
        #expect(set.containsAny(["users:write", "orders:delete"]))
        #expect(!set.containsAny([String]()))
    }

    @Test("storage encoding round-trips any grant and rejects corrupt input")
    func storageEncoding() throws {
        let set: PermissionSet = ["a:b", "", "7:x", "new\nline", "ünï:読む"]
        #expect(try PermissionSet(storageEncoding: set.storageEncoding) == set)
        #expect(try PermissionSet(storageEncoding: "") == .empty)
        #expect(PermissionSet(["b", "a"]).storageEncoding == "1:a1:b")
        for corrupt in ["x", "3:ab", "-1:", "2:a"] {
            #expect(throws: PermissionCacheError.self) { try PermissionSet(storageEncoding: corrupt) }
        }
    }
}
