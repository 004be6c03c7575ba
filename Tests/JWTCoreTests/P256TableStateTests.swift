import AuthKitTesting
import Testing

@testable import JWTCore

/// When an ES256 key switches to its precomputed table, and that other curves never do.
@Suite("P-256 table state")
struct P256TableStateTests {
    static func verify(_ backing: ECDSAKeyBacking, _ signature: [UInt8], _ message: [UInt8]) -> Bool {
        signature.withUnsafeBytes { signatureBuffer in
            message.withUnsafeBytes { backing.verify(signature: signatureBuffer, input: $0) }
        }
    }

    /// Waits until `backing` verifies through its table, which is built on a thread of its own; `false` if it
    /// is not ready within the liveness bound (10 s, stretched under sanitizers).
    static func tableBecomesReady(_ backing: ECDSAKeyBacking) async -> Bool {
        (try? await TestTiming.eventually(limit: .seconds(10)) { backing.usesTable }) ?? false
    }

    @Test("the verify after the threshold builds the table, and later verifies use it")
    func threshold() throws {
        var state = P256TableState(threshold: 2)
        for _ in 0..<2 {
            guard case .generic = state.nextVerify() else {
                Issue.record("expected a generic verify before the threshold")
                return
            }
        }
        guard case .build = state.nextVerify() else {
            Issue.record("expected the third verify to build the table")
            return
        }
        guard case .generic = state.nextVerify() else {
            Issue.record("expected a generic verify while the table is being built")
            return
        }
        #expect(!state.isReady)
        let evpKey = try #require(try JWTKey.generate(.es256).backing.evpKey)
        state.finishBuilding(try P256Verifier(key: evpKey))
        #expect(state.isReady)
        guard case .table = state.nextVerify() else {
            Issue.record("expected the table once it is built")
            return
        }
    }

    @Test("a failed build leaves the key on the generic path for good")
    func failedBuild() {
        var state = P256TableState(threshold: 0)
        guard case .build = state.nextVerify() else {
            Issue.record("expected the first verify to build the table")
            return
        }
        state.finishBuilding(nil)
        for _ in 0..<3 {
            guard case .generic = state.nextVerify() else {
                Issue.record("expected the generic path after a failed build")
                return
            }
        }
        #expect(!state.isReady)
    }

    @Test("an ES256 key verifies the same before and after switching; ES384 and ES512 keys never switch")
    func backings() async throws {
        for algorithm in [JWTAlgorithm.es256, .es384, .es512] {
            let key = try JWTKey.generate(algorithm)
            let backing = try ECDSAKeyBacking(
                algorithm: algorithm,
                key: try #require(key.backing.evpKey),
                tableThreshold: 3
            )
            let message = Array("header.payload".utf8)
            let signature = try message.withUnsafeBytes { try key.backing.sign($0) }
            var tampered = signature
            tampered[0] ^= 0x80
            for round in 0..<6 {
                #expect(Self.verify(backing, signature, message), "\(algorithm.name) round \(round)")
                #expect(!Self.verify(backing, tampered, message), "\(algorithm.name) round \(round)")
            }
            if algorithm == .es256 {
                #expect(await Self.tableBecomesReady(backing), "the ES256 table was never built")
                for round in 0..<3 {
                    #expect(Self.verify(backing, signature, message), "through the table, round \(round)")
                    #expect(!Self.verify(backing, tampered, message), "through the table, round \(round)")
                }
            } else {
                #expect(!backing.usesTable)
            }
        }
    }
}
