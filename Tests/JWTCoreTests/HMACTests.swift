import AuthKitTesting
import CAuthKitOpenSSL
import Foundation
import Testing

@testable import JWTCore

@Suite("HMAC")
struct HMACTests {
    private func mac(_ digest: Digest, key: [UInt8], message: [UInt8]) throws -> [UInt8] {
        let state = try key.withUnsafeBytes { try HMACKeyState(digest: digest, key: $0) }
        var output = [UInt8](repeating: 0, count: digest.size)
        let ok = message.withUnsafeBytes { input in
            output.withUnsafeMutableBytes { state.authenticate(input, into: $0) }
        }
        #expect(ok)
        return output
    }

    /// RFC 4231 §4 test cases 1–4, 6 and 7 (case 5 is a truncated-output case, covered by Wycheproof).
    static let rfc4231: [(key: [UInt8], data: [UInt8], sha256: String, sha384: String, sha512: String)] = [
        (
            [UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4"
                + "be9d914eeb61f1702e696c203a126854"
        ),
        (
            Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fd"
                + "caeab1a34d4a6b4b636e070a38bce737"
        ),
        (
            [UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
            "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
            "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807"
                + "b946a337bee8942674278859e13292fb"
        ),
        (
            Array(1...25), [UInt8](repeating: 0xCD, count: 50),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
            "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
            "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063"
                + "a5f19741120c4f2de2adebeb10a298dd"
        ),
        (
            [UInt8](repeating: 0xAA, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e52"
                + "95e64f73f63f0aec8b915a985d786598"
        ),
        (
            [UInt8](repeating: 0xAA, count: 131),
            Array(
                ("This is a test using a larger than block-size key and a larger than block-size data. The key needs"
                    + " to be hashed before being used by the HMAC algorithm.").utf8
            ),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
            "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
            "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15"
                + "134676fb6de0446065c97440fa8c6a58"
        ),
    ]

    @Test func rfc4231() throws {
        for vector in Self.rfc4231 {
            #expect(try mac(.sha256, key: vector.key, message: vector.data).hex == vector.sha256)
            #expect(try mac(.sha384, key: vector.key, message: vector.data).hex == vector.sha384)
            #expect(try mac(.sha512, key: vector.key, message: vector.data).hex == vector.sha512)
        }
    }

    /// OpenSSL's own HMAC (`EVP_Q_mac`), which keys a fresh context on every call.
    private func openSSLMAC(_ digest: Digest, key: [UInt8], message: [UInt8]) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: 64)
        var length = 0
        let written = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBufferPointer { data in
                output.withUnsafeMutableBufferPointer { out in
                    EVP_Q_mac(
                        nil,
                        "HMAC",
                        nil,
                        digest.openSSLName,
                        nil,
                        keyBytes.baseAddress,
                        keyBytes.count,
                        data.baseAddress,
                        data.count,
                        out.baseAddress,
                        out.count,
                        &length
                    )
                }
            }
        }
        return written == nil ? nil : Array(output.prefix(length))
    }

    /// The precomputed states against OpenSSL's HMAC: keys of every length from empty to past two blocks (a key
    /// longer than a block is hashed first), messages ending on either side of the block boundaries of the inner
    /// hash, and a few hundred random pairs.
    @Test(arguments: [Digest.sha256, .sha384, .sha512])
    func agreesWithOpenSSL(digest: Digest) throws {
        var random = SeededGenerator(seed: 0x4841_4D43)
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) } }
        var cases: [(key: [UInt8], message: [UInt8])] = []
        for keyLength in 0...(2 * digest.blockSize + 1) {
            cases.append((bytes(keyLength), bytes(keyLength % 7)))
        }
        for messageLength in 0...(3 * digest.blockSize + 1) {
            cases.append((bytes(digest.size), bytes(messageLength)))
        }
        for _ in 0..<300 {
            cases.append(
                (bytes(Int.random(in: 0...300, using: &random)), bytes(Int.random(in: 0...2000, using: &random)))
            )
        }
        for (key, message) in cases {
            let expected = try #require(openSSLMAC(digest, key: key, message: message))
            #expect(
                try mac(digest, key: key, message: message) == expected,
                "key \(key.count), message \(message.count)"
            )
        }
    }

    @Test func sharedKeyStateGivesTheSameMACConcurrently() async throws {
        let key = try JWTKey.hs256([UInt8](repeating: 7, count: 32))
        let expected = try Array("payload".utf8).withUnsafeBytes { try key.backing.sign($0) }
        try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<200 {
                group.addTask { try Array("payload".utf8).withUnsafeBytes { try key.backing.sign($0) } }
            }
            for try await tag in group {
                #expect(tag == expected)
            }
        }
    }

    /// Wycheproof HMAC vectors, run through the same precomputed key state the JWT path uses.
    @Test(
        arguments: [
            ("hmac_sha256_test.json", Digest.sha256), ("hmac_sha384_test.json", .sha384),
            ("hmac_sha512_test.json", .sha512),
        ]
    )
    func wycheproof(file: String, digest: Digest) throws {
        let root = try VectorFiles.json(file)
        let groups = try #require(root["testGroups"] as? [[String: Any]])
        var count = 0
        for group in groups {
            for test in try #require(group["tests"] as? [[String: Any]]) {
                let key = [UInt8](hex: test["key"] as? String ?? "")
                let message = [UInt8](hex: test["msg"] as? String ?? "")
                let tag = [UInt8](hex: test["tag"] as? String ?? "")
                let valid = test["result"] as? String == "valid"
                let computed = try mac(digest, key: key, message: message)
                let matches = tag.count <= computed.count && Array(computed.prefix(tag.count)) == tag && !tag.isEmpty
                #expect(matches == valid, "tcId \(test["tcId"] ?? "?")")
                count += 1
            }
        }
        #expect(count > 100)
    }
}
