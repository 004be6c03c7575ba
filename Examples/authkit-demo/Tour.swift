import AuthKit
import AuthKitRedis
import Foundation
import RedisClient
import Synchronization

/// The steps of the tour, each printing what it does and what AuthKit answered.
struct Tour {
    let auth: AuthKit
    let storeName: String
    private let printer = Printer()

    init(store: AuthKitStore, prefix: String, storeName: String) async throws {
        auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                signingKeys: [try JWTKey.generate(.es256, kid: "demo-2026-11")],
                accessTokenLifetime: .seconds(15 * 60),
                refreshTokenLifetime: .seconds(7 * 86_400),
                keyPrefix: prefix
            ),
            store: store
        )
        self.storeName = storeName
    }

    func run() async throws {
        let events = auth.events
        let eventLog = Task {
            var seen: [SecurityEvent] = []
            for await event in events { seen.append(event) }
            return seen
        }
        printer.title("AuthKit tour (state \(storeName))")

        printer.step("1. Alice logs in on two devices")
        let phone = try await auth.login(
            userID: "alice",
            device: DeviceInfo(name: "Pixel 9", ipAddress: "203.0.113.7", userAgent: "AuthKitDemo/1.0")
        )
        let laptop = try await auth.login(
            userID: "alice",
            device: DeviceInfo(name: "MacBook", ipAddress: "198.51.100.4")
        )
        printer.line("phone:  session \(phone.session.id), access token \(TokenText.short(phone.accessToken))")
        printer.line("        refresh token \(TokenText.short(phone.refreshToken)) (stored only as its SHA-256)")
        printer.line("laptop: session \(laptop.session.id)")
        let devices = try await auth.sessions(of: "alice").map { "\($0.device.name) (\($0.device.ipAddress))" }
        printer.line("alice's devices: \(devices.joined(separator: ", "))")

        printer.step("2. The phone calls the API: access granted")
        let principal = try await auth.authenticate(bearer: "Bearer \(phone.accessToken)")
        printer.ok(
            "authenticated user \(principal.userID), session \(principal.sessionID), token id \(principal.tokenID)"
        )

        printer.step("3. The phone refreshes: the refresh token rotates")
        let rotated = try await auth.refresh(phone.refreshToken)
        printer.ok(
            "new access token \(TokenText.short(rotated.accessToken)), new refresh token \(TokenText.short(rotated.refreshToken))"
        )

        printer.step("4. A thief replays the OLD refresh token: reuse detected, the whole login dies")
        await printer.expectFailure { _ = try await auth.refresh(phone.refreshToken) }
        printer.line("the phone's newest access token is now refused too:")
        await printer.expectFailure { _ = try await auth.authenticate(token: rotated.accessToken) }

        printer.step("5. The laptop logs out: its access token is denylisted until it expires")
        try await auth.logout(accessToken: laptop.accessToken)
        await printer.expectFailure { _ = try await auth.authenticate(token: laptop.accessToken) }

        printer.step("6. Alice logs in on a tablet, then logs out everywhere (say, after a password change)")
        let tablet = try await auth.login(userID: "alice", device: DeviceInfo(name: "iPad"))
        printer.ok("tablet token accepted for \(try await auth.authenticate(token: tablet.accessToken).userID)")
        let ended = try await auth.logoutEverywhere(userID: "alice")
        printer.line("log out everywhere ended \(ended) session(s)")
        await printer.expectFailure { _ = try await auth.authenticate(token: tablet.accessToken) }
        let again = try await auth.login(userID: "alice", device: DeviceInfo(name: "iPad"))
        printer.ok("a fresh login works at once: \(try await auth.authenticate(token: again.accessToken).userID)")

        printer.step("7. Permission checks: the first is a cache miss, the second a hit")
        let loads = Mutex(0)
        let load: @Sendable (String) async throws -> PermissionSet? = { user in
            loads.withLock { $0 += 1 }
            return user == "alice" ? ["admin:*", "orders:*"] : nil
        }
        let first = try await auth.permissions(for: "alice", load: load)
        printer.line("miss: loaded \(first) from the database (loader calls: \(loads.withLock { $0 }))")
        let second = try await auth.permissions(for: "alice", load: load)
        printer.line(
            "hit:  orders:refund allowed? \(second.contains("orders:refund")) (loader calls: \(loads.withLock { $0 }))"
        )
        try await auth.require("admin:users", of: "alice", load: load)
        printer.ok("alice holds admin:users through admin:*")
        await printer.expectFailure { try await auth.require("billing:read", of: "alice", load: load) }

        printer.step("8. A rate limit of 5 logins per minute runs out")
        for attempt in 1...6 {
            let decision = try await auth.rateLimit("login:alice", policy: .perMinute(5))
            let headers = decision.headers().map { "\($0.name): \($0.value)" }.joined(separator: "; ")
            let verdict = decision.isAllowed ? "allowed" : "REFUSED"
            printer.line("attempt \(attempt): \(verdict) [\(headers)]")
        }

        printer.step("9. Security events AuthKit published along the way")
        await auth.shutdown()
        for event in await eventLog.value {
            printer.line("• \(event)")
        }
        printer.line("")
    }

    /// Lists the keys the tour wrote in Redis with their TTLs.
    static func listKeys(url: String, prefix: String) async throws {
        let client = try RedisClient(url: url)
        let keys = try await client.scanKeys(matching: prefix + "*").map { String(decoding: $0, as: UTF8.self) }
        print("\n== Keys the tour wrote in Redis (every one with a TTL)")
        for key in keys.sorted() {
            let ttl = try await client.pttl(RedisArgument(key))
            let shown = ttl >= 0 ? "\(ttl / 1000)s" : "NO TTL"
            print("  \(key.padding(toLength: max(key.count, 60), withPad: " ", startingAt: 0))  ttl \(shown)")
        }
        await client.shutdown()
    }
}

/// Formats the transcript.
struct Printer: Sendable {
    func title(_ text: String) { print("\n\(text)\n\(String(repeating: "=", count: text.count))") }
    func step(_ text: String) { print("\n== \(text)") }
    func line(_ text: String) { print("   \(text)") }
    func ok(_ text: String) { print("   ✓ \(text)") }

    func expectFailure(_ body: () async throws -> Void) async {
        do {
            try await body()
            print("   ✗ unexpectedly succeeded")
        } catch let error as AuthKitError {
            print("   ✗ refused: \(error.code) — \(error.message)")
        } catch {
            print("   ✗ refused: \(error)")
        }
    }
}

/// Token display helpers: the transcript shows only the start of a token.
enum TokenText {
    static func short(_ token: String) -> String {
        token.count > 20 ? String(token.prefix(20)) + "…" : token
    }

    static func random(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
