/// The life of one command on a cluster, as a value: where to send it next, after which reply or failure, and
/// what that outcome says about the slot map. No I/O; the cluster router performs what it decides.
///
/// - A reply that is not a redirection finishes the command (error replies included: they are the command's own).
/// - `MOVED` records the slot's new owner, asks for a map refresh and retries on that owner; `ASK` retries once on
///   the importing node after `ASKING`. At most ``maximumRedirects`` redirections, so two nodes that disagree
///   cannot bounce a command forever.
/// - `TRYAGAIN`, `CLUSTERDOWN` and `LOADING` retry after a growing pause, and a connection that could not be
///   opened (nothing was sent) retries after a map refresh — each only while the pause ends before the deadline.
/// - Any other failure (the connection closed or timed out with the command on it) finishes the command without a
///   retry, because it may have been applied, and asks for a map refresh: the node may be gone.
struct ClusterCommandAttempt: Sendable {
    /// Where the next try goes.
    enum Target: Equatable, Sendable {
        /// The primary the slot map names for the command's slot (any primary for a command without keys).
        case slotOwner
        /// A given node, with `ASKING` sent just before the command on the same connection when `asking`.
        case node(RedisNodeAddress, asking: Bool)
    }

    /// What happened to the last try.
    enum Outcome: Sendable {
        /// The node at the address answered.
        case reply(RedisReply, from: RedisNodeAddress)
        /// The try failed before a reply.
        case failure(RedisError)
    }

    /// What to do next.
    struct Decision: Equatable, Sendable {
        /// Finish with a result, or try again.
        enum Action: Equatable, Sendable {
            /// The command is done: this is its reply or its failure.
            case finish(Result<RedisReply, RedisError>)
            /// Try again at `target` once `delay` nanoseconds have passed.
            case retry(Target, delay: UInt64)
        }

        /// Finish or retry.
        var action: Action
        /// A slot the map should now give to a node (a `MOVED`).
        var moved: (slot: Int, node: RedisNodeAddress)?
        /// Whether the map should be read again from the cluster.
        var refreshMap: Bool

        static func == (lhs: Decision, rhs: Decision) -> Bool {
            lhs.action == rhs.action && lhs.refreshMap == rhs.refreshMap && lhs.moved?.slot == rhs.moved?.slot
                && lhs.moved?.node == rhs.moved?.node
        }
    }

    /// The most `MOVED` and `ASK` redirections one command follows.
    let maximumRedirects: Int
    /// The pauses of retries after `TRYAGAIN`, `CLUSTERDOWN`, `LOADING` or a failed connect.
    private(set) var pacing: RetryPacing
    private(set) var redirects = 0

    init(maximumRedirects: Int, pacing: RetryPacing) {
        self.maximumRedirects = maximumRedirects
        self.pacing = pacing
    }

    /// Decides what follows `outcome`, at monotonic time `now`.
    mutating func next(after outcome: Outcome, now: UInt64) -> Decision {
        switch outcome {
        case .failure(let error):
            guard error.code == .connectionFailed else {
                let nodeMayBeGone = [.connectionClosed, .timeout, .tls, .protocol].contains(error.code)
                return Decision(action: .finish(.failure(error)), refreshMap: nodeMayBeGone)
            }
            return pause(before: .slotOwner, orFinish: .failure(error), refreshMap: true, now: now)
        case .reply(let reply, let node):
            guard case .error(let message) = reply,
                let redirect = ClusterRedirect(errorMessage: message, answeringHost: node.host)
            else {
                return Decision(action: .finish(.success(reply)), refreshMap: false)
            }
            switch redirect {
            case .moved(let slot, let owner):
                guard redirects < maximumRedirects else { return tooManyRedirects(message) }
                redirects += 1
                return Decision(
                    action: .retry(.node(owner, asking: false), delay: 0),
                    moved: (slot, owner),
                    refreshMap: true
                )
            case .ask(_, let importer):
                guard redirects < maximumRedirects else { return tooManyRedirects(message) }
                redirects += 1
                return Decision(action: .retry(.node(importer, asking: true), delay: 0), refreshMap: false)
            case .tryAgain, .loading:
                return pause(before: .slotOwner, orFinish: .success(reply), refreshMap: false, now: now)
            case .clusterDown:
                return pause(before: .slotOwner, orFinish: .success(reply), refreshMap: true, now: now)
            }
        }
    }

    private mutating func pause(
        before target: Target,
        orFinish result: Result<RedisReply, RedisError>,
        refreshMap: Bool,
        now: UInt64
    ) -> Decision {
        guard let delay = pacing.nextPause(now: now) else {
            return Decision(action: .finish(result), refreshMap: refreshMap)
        }
        // Waiting is progress of its own: a slot still migrating may answer ASK and TRYAGAIN in turn for a while.
        redirects = 0
        return Decision(action: .retry(target, delay: delay), refreshMap: refreshMap)
    }

    private func tooManyRedirects(_ message: String) -> Decision {
        let error = RedisError(
            .server,
            "\(message) (gave up after \(maximumRedirects) redirections: the cluster's nodes disagree on the slot)"
        )
        return Decision(action: .finish(.failure(error)), refreshMap: true)
    }
}
