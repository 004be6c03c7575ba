/// Decides when an ES256 key stops using OpenSSL's generic verify and builds its own ``P256Verifier`` table.
///
/// The table costs about 20 ms of CPU and 150 KB once and saves about 30 µs on every verify, so it pays for
/// itself after some 700 verifies: a key that only signs, or checks a handful of tokens, never builds one. The
/// verify that reaches the threshold starts the build (``ECDSAKeyBacking`` runs it on a thread of its own) while
/// every verify carries on with the generic path, and a build that fails is not tried again (the generic path
/// stays correct, only slower).
struct P256TableState {
    /// What one verify should do.
    enum Action {
        /// Verify with `EVP_DigestVerify`.
        case generic
        /// Start building the table, report it with ``finishBuilding(_:)`` when done, and verify generically.
        case build
        /// Verify with the ready table.
        case table(P256Verifier)
    }

    private enum Phase {
        case counting(Int)
        case building
        case ready(P256Verifier)
        case unavailable
    }

    /// Verifies before the table is built: roughly its build cost over what it saves per verify.
    static let defaultThreshold = 700

    private var phase: Phase
    private let threshold: Int

    /// State for a P-256 key that builds its table after `threshold` verifies (0: on the first), or, with
    /// `nil`, for a key that never gets one (P-384 and P-521 keys).
    init(threshold: Int?) {
        self.threshold = max(threshold ?? 0, 0)
        phase = threshold == nil ? .unavailable : .counting(0)
    }

    /// Counts one verify and says how to run it.
    mutating func nextVerify() -> Action {
        switch phase {
        case .ready(let verifier):
            return .table(verifier)
        case .building, .unavailable:
            return .generic
        case .counting(let count):
            guard count >= threshold else {
                phase = .counting(count + 1)
                return .generic
            }
            phase = .building
            return .build
        }
    }

    /// Records the table the builder made, or `nil` when building failed.
    mutating func finishBuilding(_ verifier: P256Verifier?) {
        guard case .building = phase else { return }
        phase = verifier.map(Phase.ready) ?? .unavailable
    }

    /// Whether verifies now use the table.
    var isReady: Bool {
        if case .ready = phase { return true }
        return false
    }
}
