import AuthKit

/// One worker of the mixed load: holds up to `maxLogins` logins of random users, and per step logs in (logging
/// the oldest login out when full), authenticates, refreshes, charges a rate limit, reads permissions, and now
/// and then logs a user out everywhere. Every login it drops is logged out, so the live state stays bounded.
struct SoakWorker {
    struct Login {
        var userID: String
        var accessToken: String
        var refreshToken: String
    }

    let auth: AuthKit
    let users: Int
    let maxLogins: Int
    let counters: SoakCounters
    var logins: [Login] = []
    var step = 0

    init(auth: AuthKit, users: Int, maxLogins: Int, counters: SoakCounters) {
        self.auth = auth
        self.users = users
        self.maxLogins = maxLogins
        self.counters = counters
    }

    mutating func runStep() async {
        step += 1
        let userID = "soak-user-\(Int.random(in: 0..<users))"
        switch step % 10 {
        case 0:
            await login(userID)
        case 1, 4, 7:
            if let login = logins.randomElement() {
                await call { _ = try await auth.authenticate(token: login.accessToken) }
            }
        case 2:
            await refresh()
        case 3, 8:
            await call { _ = try await auth.rateLimit("soak:\(userID)", policy: .perMinute(100_000)) }
        case 5:
            await call {
                _ = try await auth.permissions(for: userID) { _ in PermissionSet(["orders:read", "orders:*"]) }
            }
        case 6 where Int.random(in: 0..<200) == 0:
            await call { _ = try await auth.logoutEverywhere(userID: userID) }
            logins.removeAll { $0.userID == userID }
        default:
            if let login = logins.randomElement() {
                await call { _ = try await auth.sessions(of: login.userID) }
            }
        }
    }

    private mutating func login(_ userID: String) async {
        if logins.count >= maxLogins {
            let oldest = logins.removeFirst()
            await call { try await auth.logout(accessToken: oldest.accessToken) }
        }
        do {
            let pair = try await auth.login(userID: userID, device: DeviceInfo(name: "soak"))
            counters.record(error: nil)
            logins.append(Login(userID: userID, accessToken: pair.accessToken, refreshToken: pair.refreshToken))
        } catch {
            counters.record(error: error)
        }
    }

    private mutating func refresh() async {
        guard !logins.isEmpty else { return }
        let index = Int.random(in: 0..<logins.count)
        do {
            let pair = try await auth.refresh(logins[index].refreshToken)
            counters.record(error: nil)
            logins[index].accessToken = pair.accessToken
            logins[index].refreshToken = pair.refreshToken
        } catch {
            // Expected when a logout everywhere ended it meanwhile; either way the login is gone.
            let code = (error as? AuthKitError)?.code
            counters.record(error: code == .sessionEnded || code == .invalidRefreshToken ? nil : error)
            logins.remove(at: index)
        }
    }

    private func call(_ body: () async throws -> Void) async {
        do {
            try await body()
            counters.record(error: nil)
        } catch let error as AuthKitError where error.code == .sessionEnded || error.code == .tokenRevoked {
            counters.record(error: nil)  // a login ended by a logout everywhere of its user: correct answer
        } catch {
            counters.record(error: error)
        }
    }
}
