import AuthKit
import Synchronization

/// A steady concurrent load of authenticate, refresh, rate-limit and logout calls through the facade, which
/// records every broken promise as a violation instead of stopping.
///
/// Each worker owns one user and one login. What a worker knows for certain is checked on every call: its own
/// access token authenticates as its own user and session (a reply delivered to the wrong caller would show here);
/// a token whose logout reported success never authenticates; a refresh token whose rotation reported success is
/// the one the store accepts. A call that failed leaves the worker unsure, so it logs in afresh instead of
/// presenting a token whose rotation may or may not have been applied.
final class FaultLoad: Sendable {
    struct Login: Sendable {
        var sessionID: String
        var accessToken: String
        var refreshToken: String
    }

    /// One call that failed: which, why, and when it ran.
    struct Failure: Sendable {
        var operation: String
        var code: AuthKitError.Code
        /// The RedisClient error code named in the message (`connectionFailed`, `timeout`…), when there is one.
        var cause: String
        var started: ContinuousClock.Instant
        var ended: ContinuousClock.Instant
    }

    private struct State {
        var stopped = false
        var violations: [String] = []
        var successes = 0
        var failures = 0
        var failureLog: [Failure] = []
        var revokedTokens: [String] = []
        var inFlight: [Int: (operation: String, started: ContinuousClock.Instant)] = [:]
        var longest = Duration.zero
    }

    let auth: AuthKit
    let workers: Int
    private let state = Mutex(State())

    init(auth: AuthKit, workers: Int, revokedTokens: [String]) {
        self.auth = auth
        self.workers = workers
        state.withLock { $0.revokedTokens = revokedTokens }
    }

    var violations: [String] { state.withLock { $0.violations } }
    var revokedTokens: [String] { state.withLock { $0.revokedTokens } }
    var longestCall: Duration { state.withLock { $0.longest } }
    var counts: (successes: Int, failures: Int) { state.withLock { ($0.successes, $0.failures) } }
    /// Every call that failed (an expected refusal of a revoked token is not a failure).
    var failureLog: [Failure] { state.withLock { $0.failureLog } }

    func violation(_ text: String) {
        state.withLock { $0.violations.append(text) }
    }

    func stop() {
        state.withLock { $0.stopped = true }
    }

    /// Calls still running past ``FaultEnvironment/callBound``: a hang, reported while it happens.
    func overdueCalls() -> [String] {
        let now = ContinuousClock.now
        return state.withLock { state in
            state.inFlight.compactMap { worker, call in
                now - call.started > FaultEnvironment.callBound
                    ? "worker \(worker): \(call.operation) running for \(now - call.started)" : nil
            }
        }
    }

    /// Runs worker `index` until ``stop()``; returns its login as it stands at the end (nil when it has none).
    func runWorker(_ index: Int) async -> Login? {
        let userID = "user-\(index)"
        var login: Login?
        var step = 0
        while !state.withLock({ $0.stopped }) {
            step += 1
            if login == nil {
                login = await timed(index, "login") { try await self.newLogin(userID) }
                if login == nil {
                    try? await Task.sleep(for: .milliseconds(20))  // paces retries during the outage
                    continue
                }
            }
            guard let current = login else { continue }
            switch step % 8 {
            case 0:
                login = await refresh(index, userID: userID, current)
            case 3:
                await logoutAnotherLogin(index, userID: userID)
            case 1, 5:
                await authenticateRevoked(index)
            case 2, 6:
                _ = await timed(index, "rateLimit") {
                    try await self.auth.rateLimit("fault:\(index)", policy: .perMinute(1_000_000))
                }
            default:
                await authenticateOwn(index, userID: userID, current)
            }
        }
        return login
    }

    private func newLogin(_ userID: String) async throws -> Login {
        let pair = try await auth.login(userID: userID, device: DeviceInfo(name: "load"))
        return Login(sessionID: pair.session.id, accessToken: pair.accessToken, refreshToken: pair.refreshToken)
    }

    private func authenticateOwn(_ index: Int, userID: String, _ login: Login) async {
        let principal = await timed(index, "authenticate") {
            try await self.auth.authenticate(token: login.accessToken)
        }
        if let principal, principal.userID != userID || principal.sessionID != login.sessionID {
            violation("worker \(index): authenticate returned \(principal.userID)/\(principal.sessionID ?? "-")")
        }
        if let code = lastCode(index), code == .tokenRevoked || code == .sessionEnded {
            violation("worker \(index): its live login was reported \(code)")
        }
    }

    private func authenticateRevoked(_ index: Int) async {
        guard let token = state.withLock({ $0.revokedTokens.randomElement() }) else { return }
        if await timed(
            index,
            "authenticate revoked",
            expectFailure: true,
            { try await self.auth.authenticate(token: token) }
        ) != nil {
            violation("worker \(index): a revoked token authenticated")
        }
    }

    private func refresh(_ index: Int, userID: String, _ login: Login) async -> Login? {
        guard let pair = await timed(index, "refresh", { try await self.auth.refresh(login.refreshToken) }) else {
            if let code = lastCode(index), code == .refreshTokenReused || code == .invalidRefreshToken {
                violation("worker \(index): the refresh token of a confirmed rotation was refused: \(code)")
            }
            return nil  // unsure whether the rotation happened: log in afresh
        }
        if pair.session.userID != userID || pair.session.id != login.sessionID {
            violation("worker \(index): refresh returned \(pair.session.userID)/\(pair.session.id)")
        }
        return Login(sessionID: login.sessionID, accessToken: pair.accessToken, refreshToken: pair.refreshToken)
    }

    private func logoutAnotherLogin(_ index: Int, userID: String) async {
        guard let victim = await timed(index, "login", { try await self.newLogin(userID) }) else { return }
        if await timed(index, "logout", { try await self.auth.logout(accessToken: victim.accessToken) }) != nil {
            state.withLock { $0.revokedTokens.append(victim.accessToken) }
        }
    }

    // MARK: Timing and bookkeeping

    private let lastCodes = Mutex([Int: AuthKitError.Code]())
    private static let redisCodes = [
        "connectionFailed", "connectionClosed", "timeout", "server", "protocol", "crossSlot", "poolShutdown",
    ]

    private func lastCode(_ index: Int) -> AuthKitError.Code? {
        lastCodes.withLock { $0[index] }
    }

    /// Runs one call, checks it returned within ``FaultEnvironment/callBound``, and counts it.
    private func timed<T>(
        _ index: Int,
        _ operation: String,
        expectFailure: Bool = false,
        _ body: @Sendable () async throws -> T
    ) async -> T? {
        let started = ContinuousClock.now
        state.withLock { $0.inFlight[index] = (operation, started) }
        var result: T?
        var code: AuthKitError.Code?
        var message = ""
        do {
            result = try await body()
        } catch let error as AuthKitError {
            code = error.code
            message = error.message
        } catch {
            violation("worker \(index): \(operation) threw a non-AuthKit error: \(error)")
        }
        let elapsed = ContinuousClock.now - started
        lastCodes.withLock { $0[index] = code }
        state.withLock { state in
            state.inFlight[index] = nil
            state.longest = max(state.longest, elapsed)
            if (result != nil) != expectFailure {
                state.successes += 1
            } else {
                state.failures += 1
            }
            if result == nil, !expectFailure, let code {
                let cause = Self.redisCodes.first { message.contains("\($0):") } ?? "other"
                state.failureLog.append(
                    Failure(operation: operation, code: code, cause: cause, started: started, ended: started + elapsed)
                )
            }
            if elapsed > FaultEnvironment.callBound {
                state.violations.append("worker \(index): \(operation) took \(elapsed)")
            }
        }
        return result
    }
}
