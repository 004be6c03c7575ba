public import AuthKitClock
public import TokenStore

/// The rules every `TokenStore` must follow, as checks that run against any implementation.
///
/// Each check builds a fresh store with ``makeStore`` around its own ``ManualClock`` and moves time only
/// through that clock. A store must therefore take every "now" from the injected `TimeSource` and decide every
/// rule by comparing recorded instants with it, using backing-store expiry (Redis TTLs, which run on real
/// time) only for clean-up, set at least as far ahead as the record matters. The Redis store does this by
/// passing now to its Lua scripts as an argument and computing TTLs as (expiry − now) plus a margin, so the
/// same checks run in milliseconds of real time against the in-memory store and a real `redis-server` alike.
///
/// Run them from Swift Testing with one parameterised test:
/// ```swift
/// @Test(arguments: TokenStoreConformance.checks)
/// func conformance(_ check: TokenStoreConformance.TokenStoreCheck) async throws {
///     try await check.run(TokenStoreConformance { clock in InMemoryTokenStore(clock: clock) })
/// }
/// ```
public struct TokenStoreConformance: Sendable {
    /// Builds an empty store that reads time from the given clock; called once per check.
    public typealias MakeStore = @Sendable (TimeSource) async throws -> any TokenStore

    /// One named rule of the contract, with the code that checks it: `check.run(suite)`.
    public struct TokenStoreCheck: Sendable, CustomStringConvertible {
        /// A short name for test reports.
        public let name: String
        let body: @Sendable (TokenStoreConformance) async throws -> Void

        /// Runs the check against the stores `suite` builds; throws ``TokenStoreConformanceFailure`` on a breach.
        public func run(_ suite: TokenStoreConformance) async throws {
            try await body(suite)
        }

        /// The text shown when the value is printed or logged.
        public var description: String { name }
    }

    /// The factory for the stores under test.
    public let makeStore: MakeStore

    /// Creates a suite for the stores `makeStore` builds.
    public init(makeStore: @escaping MakeStore) {
        self.makeStore = makeStore
    }

    /// Every check of the suite.
    public static let checks: [TokenStoreCheck] =
        denylistChecks + epochChecks + rotationChecks + inspectionChecks + sessionChecks + accessChecks

    /// A fresh clock and a store reading it.
    func fixture() async throws -> (ManualClock, any TokenStore) {
        let clock = ManualClock()
        return (clock, try await makeStore(clock.timeSource))
    }

    static func expect(
        _ condition: Bool,
        _ message: @autoclosure () -> String,
        file: String = #fileID,
        line: Int = #line
    ) throws {
        if !condition {
            throw TokenStoreConformanceFailure(message(), file: file, line: line)
        }
    }

    static func expectError(
        _ code: TokenStoreError.Code,
        _ message: String,
        file: String = #fileID,
        line: Int = #line,
        _ body: () async throws -> Void
    ) async throws {
        do {
            try await body()
        } catch let error as TokenStoreError {
            try expect(error.code == code, "\(message): expected \(code), got \(error)", file: file, line: line)
            return
        }
        throw TokenStoreConformanceFailure("\(message): expected \(code), nothing was thrown", file: file, line: line)
    }

    static func grant(_ outcome: RefreshOutcome, file: String = #fileID, line: Int = #line) throws -> RefreshGrant {
        guard case .rotated(let grant) = outcome else {
            throw TokenStoreConformanceFailure("expected a rotation, got \(outcome)", file: file, line: line)
        }
        return grant
    }

    static func isReuse(_ outcome: RefreshOutcome) -> Bool {
        if case .reuseDetected = outcome {
            return true
        }
        return false
    }

    static func isInvalid(_ outcome: RefreshOutcome) -> Bool {
        if case .invalid = outcome {
            return true
        }
        return false
    }

    static func access(
        _ userID: String,
        jti: String? = nil,
        issuedAt: UnixTime,
        sessionID: String? = nil,
        touch: Bool = false
    ) -> AccessCheck {
        AccessCheck(userID: userID, jti: jti, issuedAt: issuedAt, sessionID: sessionID, touchSession: touch)
    }
}
