import AuthKitClock
import AuthKitTesting
import PermissionCache
import Testing

@Suite("InMemoryPermissionStore")
struct InMemoryPermissionStoreTests {
    @Test("conforms to PermissionStore", arguments: PermissionStoreConformance.PermissionStoreCheck.allCases)
    func conformance(_ check: PermissionStoreConformance.PermissionStoreCheck) async throws {
        let clock = ManualClock()
        let conformance = PermissionStoreConformance(
            makeStore: { InMemoryPermissionStore(clock: clock.timeSource) },
            advance: { clock.advance(by: $0) }
        )
        try await conformance.run(check)
    }

    @Test("memory stays bounded: a full store declines saves, and expired users are swept")
    func bounded() {
        let clock = ManualClock()
        let store = InMemoryPermissionStore(clock: clock.timeSource, maximumUsers: 10)
        var saved = 0
        for index in 0..<20 {
            let lookup = store.lookup(user: "u\(index)")
            if store.save(.init(permissions: ["a"]), for: "u\(index)", ttl: .seconds(5), ifVersion: lookup.version) {
                saved += 1
            }
        }
        #expect(saved == 10)
        #expect(store.userCount == 10)
        clock.advance(by: .seconds(6))
        let lookup = store.lookup(user: "late")
        #expect(store.save(.init(permissions: ["a"]), for: "late", ttl: .seconds(5), ifVersion: lookup.version))
        #expect(store.userCount == 1)
    }
}
