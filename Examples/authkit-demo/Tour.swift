import AuthKit
import AuthKitRedis
import Foundation
import RedisClient
import Synchronization

/// The steps of the tour, each printing what it does and what AuthKit answered.
struct Tour {
    let auth: AuthKit
    let storeName: String
    private let store: AuthKitStore
    private let prefix: String
    private let keys: DemoKeyRing
    private let printer = Printer()

    init(store: AuthKitStore, prefix: String, storeName: String) async throws {
        let keys = DemoKeyRing(try JWTKey.generate(.es256, kid: "demo-2026-11"))
        auth = try await AuthKit(
            configuration: AuthKitConfiguration(
                issuer: "https://api.example.com",
                audience: "api",
                registeredAudiences: ["orders"],
                // Keys from a provider the app writes (a secrets manager, say), read again on a schedule. A real
                // deployment keeps the default publication lead (5 minutes, the JWKS max-age); the tour has no
                // time to wait.
                signingKeys: .provider(publicationLead: .zero) { keys.ring },
                accessTokenLifetime: .seconds(15 * 60),
                refreshTokenLifetime: .seconds(7 * 86_400),
                keyPrefix: prefix
            ),
            store: store
        )
        self.store = store
        self.prefix = prefix
        self.keys = keys
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
            "authenticated user \(principal.userID), session \(principal.sessionID ?? "-"), token id \(principal.tokenID ?? "-")"
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

        printer.step("7. The orders service only verifies: public keys from the issuer's JWKS, the same store")
        let ordersJWKS = RemoteJWKS { auth.publicJWKS() }  // in production: an HTTP GET of /.well-known/jwks.json
        let orders = try await AuthKitVerifier(
            configuration: AuthKitVerifierConfiguration(
                issuer: "https://api.example.com",
                audiences: ["orders"],
                keys: .remote(ordersJWKS),
                keyPrefix: prefix
            ),
            store: store
        )
        let forOrders = try await auth.refresh(again.refreshToken, audience: "orders")
        let seen = try await orders.authenticate(token: forOrders.accessToken)
        printer.ok(
            "orders service accepted \(seen.userID)'s token for \"orders\" (same session \(seen.sessionID ?? "-"))"
        )
        printer.line("the issuer's own API refuses a token meant for the orders service:")
        await printer.expectFailure { _ = try await auth.authenticate(token: forOrders.accessToken) }
        printer.line("alice logs out on the issuer; the orders service sees it at once:")
        try await auth.logout(accessToken: forOrders.accessToken)
        await printer.expectFailure("orders service") {
            _ = try await orders.authenticate(token: forOrders.accessToken)
        }

        printer.step("8. The issuer rotates its signing key at run time, without a restart")
        let before = try await auth.login(userID: "alice", audience: "orders")
        let next = try JWTKey.generate(.es256, kid: "demo-2026-12")
        keys.publish(next)
        try await auth.reloadSigningKeys()
        printer.line(
            "next key published: the JWKS now lists \(try Self.kids(auth.publicJWKS())); nothing signs with it yet"
        )
        // The orders service's cached JWKS reaches its max-age (at most the publication lead) and is fetched again.
        try await ordersJWKS.refresh()
        printer.line(
            "the orders service fetched the JWKS again: it knows demo-2026-12 before anything is signed with it"
        )
        keys.promote(retiringUntil: auth.clock.now() + .seconds(15 * 60))
        try await auth.reloadSigningKeys()
        let after = try await auth.login(userID: "alice", audience: "orders")
        printer.line(
            "new tokens are signed by \(Self.kid(after.accessToken)); the old key verifies until its tokens expire"
        )
        _ = try await orders.authenticate(token: after.accessToken)
        printer.ok("orders service accepted a token signed by \(Self.kid(after.accessToken))")
        _ = try await orders.authenticate(token: before.accessToken)
        printer.ok("a token signed by \(Self.kid(before.accessToken)) before the rotation still verifies")

        printer.step("9. Permission checks: the first is a cache miss, the second a hit")
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

        printer.step("10. A rate limit of 5 logins per minute runs out")
        // A sliding window: a fixed one would start afresh if the tour crossed a minute boundary here, allowing the
        // sixth attempt and expiring its key before the key listing below.
        for attempt in 1...6 {
            let decision = try await auth.rateLimit("login:alice", policy: .perMinute(5, algorithm: .slidingWindow))
            let headers = decision.headers().map { "\($0.name): \($0.value)" }.joined(separator: "; ")
            let verdict = decision.isAllowed ? "allowed" : "REFUSED"
            printer.line("attempt \(attempt): \(verdict) [\(headers)]")
        }

        printer.step("11. Security events AuthKit published along the way")
        await orders.shutdown()
        await auth.shutdown()
        for event in await eventLog.value {
            printer.line("• \(event)")
        }
        printer.line("")
    }

    /// The `kid`s of a JWKS, for the transcript.
    private static func kids(_ document: JWKSDocument) throws -> String {
        try JWTKeySet(jwks: document.text).keys.compactMap(\.kid).joined(separator: ", ")
    }

    /// The `kid` a token's header names, for the transcript.
    private static func kid(_ token: String) -> String {
        (try? UnverifiedJWTDecoder.decode(token).header["kid"]?.stringValue) ?? "-"
    }

    /// Lists the keys the tour wrote in Redis with their TTLs.
    static func listKeys(configuration: RedisConfiguration, prefix: String) async throws {
        let client = RedisClient(configuration: configuration)
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

/// The signing keys the tour's provider hands AuthKit: one key, then a next one, then the next one promoted.
final class DemoKeyRing: Sendable {
    private let state: Mutex<SigningKeyRing>

    init(_ first: JWTKey) {
        state = Mutex(SigningKeyRing(current: first))
    }

    var ring: SigningKeyRing { state.withLock { $0 } }

    /// Publishes `key` as the next key: in the JWKS, signing nothing yet.
    func publish(_ key: JWTKey) {
        state.withLock { $0.next = key }
    }

    /// Makes the next key current; the current one retires at `notAfter`.
    func promote(retiringUntil notAfter: UnixTime) {
        state.withLock { ring in
            guard let next = ring.next else { return }
            ring = SigningKeyRing(current: next, retiring: [.init(ring.current, notAfter: notAfter)])
        }
    }
}

/// Formats the transcript.
struct Printer: Sendable {
    func title(_ text: String) { print("\n\(text)\n\(String(repeating: "=", count: text.count))") }
    func step(_ text: String) { print("\n== \(text)") }
    func line(_ text: String) { print("   \(text)") }
    func ok(_ text: String) { print("   ✓ \(text)") }

    func expectFailure(_ who: String? = nil, _ body: () async throws -> Void) async {
        let refused = who.map { "\($0) refused" } ?? "refused"
        do {
            try await body()
            print("   ✗ unexpectedly succeeded")
        } catch let error as AuthKitError {
            print("   ✗ \(refused): \(error.code) — \(error.message)")
        } catch {
            print("   ✗ \(refused): \(error)")
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
