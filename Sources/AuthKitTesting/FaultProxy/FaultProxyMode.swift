/// What a ``FaultProxy`` does to the traffic between a client and its upstream server.
public enum FaultProxyMode: Sendable, Hashable, CustomStringConvertible {
    /// Forwards every byte as it arrives.
    case pass
    /// Holds every chunk for the given time before forwarding it, in both directions.
    case latency(Duration)
    /// Keeps connections open and accepts new ones but forwards nothing, as a network partition does: bytes
    /// already sent wait (in order) until the mode changes, so requests and replies go unanswered meanwhile.
    case blackHole
    /// Resets every open connection (RST) and every new one as soon as it is accepted.
    case reset
    /// Closes every open connection cleanly (FIN) and every new one as soon as it is accepted.
    case close
    /// Stops listening, so connection attempts are refused, and resets the open connections: a server that is
    /// gone.
    case refuse
    /// Forwards every byte in a write of its own, in both directions, so each arrives in a separate segment.
    case slices

    /// The mode's name, as test output shows it.
    public var description: String {
        switch self {
        case .pass: "pass"
        case .latency(let delay): "latency \(delay)"
        case .blackHole: "black hole"
        case .reset: "reset"
        case .close: "close"
        case .refuse: "refuse"
        case .slices: "1-byte slices"
        }
    }
}
