import Foundation
import Testing

@testable import JWTCore

/// The ES256 fast path: Wycheproof vectors, agreement with `EVP_DigestVerify` on random keys, signatures and
/// mutations of them, and one key verifying from several tasks at once.
@Suite("P-256 precomputed-table verifier")
struct P256VerifierTests {
    /// A P-256 key with its table, its OpenSSL key and a backing that verifies through the generic path.
    struct Subject {
        let key: JWTKey
        let backing: ECDSAKeyBacking
        let verifier: P256Verifier

        init() throws {
            key = try JWTKey.generate(.es256)
            let evpKey = try #require(key.backing.evpKey)
            backing = try ECDSAKeyBacking(algorithm: .es256, key: evpKey, tableThreshold: Int.max)
            verifier = try P256Verifier(key: evpKey)
        }

        func sign(_ message: [UInt8]) throws -> [UInt8] {
            try message.withUnsafeBytes { input in try key.backing.sign(input) }
        }
    }

    static func verify(_ verifier: P256Verifier, _ signature: [UInt8], _ message: [UInt8]) -> Bool {
        signature.withUnsafeBytes { signatureBuffer in
            message.withUnsafeBytes { verifier.verify(signature: signatureBuffer, input: $0) }
        }
    }

    static func generic(_ backing: ECDSAKeyBacking, _ signature: [UInt8], _ message: [UInt8]) -> Bool {
        signature.withUnsafeBytes { signatureBuffer in
            message.withUnsafeBytes { backing.genericVerify(signature: signatureBuffer, input: $0) }
        }
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test("every Wycheproof P-256 SHA-256 P1363 vector gives the expected answer and the EVP answer")
    func wycheproof() async throws {
        let json = try VectorFiles.json("ecdsa_secp256r1_sha256_p1363_test.json")
        var run = 0
        for group in json["testGroups"] as? [[String: Any]] ?? [] {
            // Seconds of computation (a table per key): let the other tests of the run have the cooperative pool's
            // few threads between keys.
            await Task.yield()
            let der = VectorFiles.hex(try #require(group["publicKeyDer"] as? String))
            let evpKey = try #require(try JWTKey(der: der, algorithm: .es256).backing.evpKey)
            let verifier = try P256Verifier(key: evpKey)
            #expect(verifier.hasTable)
            let backing = try ECDSAKeyBacking(algorithm: .es256, key: evpKey, tableThreshold: Int.max)
            for test in group["tests"] as? [[String: Any]] ?? [] {
                let id = test["tcId"] as? Int ?? -1
                let message = VectorFiles.hex(test["msg"] as? String ?? "")
                let signature = VectorFiles.hex(test["sig"] as? String ?? "")
                let answer = Self.verify(verifier, signature, message)
                run += 1
                #expect(answer == Self.generic(backing, signature, message), "tcId \(id): table and EVP disagree")
                switch test["result"] as? String {
                case "valid": #expect(answer, "tcId \(id) (\(test["comment"] ?? "")) should verify")
                case "invalid": #expect(!answer, "tcId \(id) (\(test["comment"] ?? "")) should be rejected")
                default: break
                }
            }
        }
        #expect(run == json["numberOfTests"] as? Int)
    }

    @Test("random keys: valid signatures verify, every mutation is refused, and EVP agrees on each case")
    func differential() throws {
        let subjects = try (0..<4).map { _ in try Subject() }
        var cases = 0
        for (index, subject) in subjects.enumerated() {
            let other = subjects[(index + 1) % subjects.count]
            for round in 0..<24 {
                let message = Self.randomBytes(round * 7 % 300)
                let signature = try subject.sign(message)
                var flippedSignature = signature
                flippedSignature[Int.random(in: 0..<64)] ^= UInt8(1) << UInt8.random(in: 0..<8)
                var flippedMessage = message + [0x2E]
                flippedMessage[Int.random(in: 0..<flippedMessage.count)] ^= UInt8(1) << UInt8.random(in: 0..<8)
                let swapped = Array(signature[32...] + signature[..<32])
                let expectations: [(P256Verifier, [UInt8], [UInt8], Bool)] = [
                    (subject.verifier, signature, message, true),
                    (subject.verifier, flippedSignature, message, false),
                    (subject.verifier, signature, flippedMessage, false),
                    (subject.verifier, signature, message + [0], false),
                    (subject.verifier, swapped, message, false),
                    (subject.verifier, Self.randomBytes(64), message, false),
                    (other.verifier, signature, message, false),
                ]
                for (verifier, signature, message, expected) in expectations {
                    let answer = Self.verify(verifier, signature, message)
                    let backing = verifier === subject.verifier ? subject.backing : other.backing
                    #expect(answer == expected, "case \(cases): expected \(expected)")
                    #expect(answer == Self.generic(backing, signature, message), "case \(cases): EVP disagrees")
                    cases += 1
                }
            }
        }
        #expect(cases == 4 * 24 * 7)
    }

    @Test("a signature of the wrong length, or with r or s out of range, is refused")
    func malformed() throws {
        let subject = try Subject()
        let message = Array("header.payload".utf8)
        let signature = try subject.sign(message)
        let order = ECCurve.p256.order
        let zero = [UInt8](repeating: 0, count: 32)
        let forms: [[UInt8]] = [
            [], Array(signature.dropLast()), signature + [0], zero + signature[32...], signature[..<32] + zero,
            order + signature[32...], signature[..<32] + order, [UInt8](repeating: 0xFF, count: 64),
        ]
        for form in forms {
            #expect(!Self.verify(subject.verifier, form, message))
            #expect(!Self.generic(subject.backing, form, message))
        }
        #expect(Self.verify(subject.verifier, signature, message))
    }

    @Test("only a P-256 key gets a table")
    func otherCurves() throws {
        for algorithm in [JWTAlgorithm.es384, .es512, .eddsa] {
            let evpKey = try #require(try JWTKey.generate(algorithm).backing.evpKey)
            #expect(throws: JWTError.self) { try P256Verifier(key: evpKey) }
        }
    }

    @Test("several tasks verifying with one key through its table agree with the expected answers")
    func concurrent() async throws {
        let subject = try Subject()
        let evpKey = try #require(subject.key.backing.evpKey)
        let shared = try ECDSAKeyBacking(algorithm: .es256, key: evpKey, tableThreshold: 0)
        // The first verify starts building the table on its own thread; the checks below run through it.
        let first = Self.randomBytes(16)
        let firstSignature = try subject.sign(first)
        #expect(P256TableStateTests.verify(shared, firstSignature, first))
        #expect(await P256TableStateTests.tableBecomesReady(shared), "the table was never built")
        var work: [([UInt8], [UInt8], Bool)] = []
        for index in 0..<32 {
            let message = Self.randomBytes(40 + index)
            let signature = try subject.sign(message)
            work.append((signature, message, true))
            var bad = signature
            bad[index % 64] ^= 0x01
            work.append((bad, message, false))
        }
        let cases = work
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<6 {
                group.addTask {
                    var mismatches = 0
                    for round in 0..<4 {
                        for (offset, (signature, message, expected)) in cases.enumerated()
                        where (offset + task + round) % 2 == 0 || round > 1 {
                            let answer = signature.withUnsafeBytes { signatureBuffer in
                                message.withUnsafeBytes { shared.verify(signature: signatureBuffer, input: $0) }
                            }
                            if answer != expected { mismatches += 1 }
                        }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
        #expect(shared.usesTable)
    }
}
