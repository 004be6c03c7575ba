import AuthKitPlatform
import Foundation
import Synchronization

/// A TCP proxy on 127.0.0.1 that sits between a client and a server and injects network faults on demand:
/// latency, a black hole, resets, clean closes, refused connections and replies cut into single bytes.
///
/// ```swift
/// let server = try await RedisTestServer.start()
/// let proxy = try FaultProxy.start(upstreamPort: server.port)
/// let client = RedisClient(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: proxy.port)))
/// proxy.mode = .blackHole      // commands now time out
/// proxy.mode = .pass           // and recover
/// await proxy.stop()
/// ```
///
/// The proxy runs on threads of its own (an accept thread and two per connection), never on Swift's
/// cooperative pool, so a fault never starves the code under test. A mode applies from the next chunk of data
/// on; ``FaultProxyMode/reset``, ``FaultProxyMode/close`` and ``FaultProxyMode/refuse`` also end every open
/// connection at once.
public final class FaultProxy: Sendable {
    private struct State {
        var mode = FaultProxyMode.pass
        var listener: Int32 = -1
        var connections: [FaultProxyConnection] = []
        var accepted = 0
        var receivedFromClients = 0
        var stopped = false
    }

    /// The port the proxy listens on; clients connect here instead of to the server.
    public let port: Int
    /// The server's port on 127.0.0.1.
    public let upstreamPort: Int
    private let state: Mutex<State>

    private init(port: Int, upstreamPort: Int, listener: Int32) {
        self.port = port
        self.upstreamPort = upstreamPort
        var initial = State()
        initial.listener = listener
        self.state = Mutex(initial)
    }

    deinit {
        state.withLock { state in
            state.stopped = true
            for connection in state.connections {
                connection.end(.close)
            }
        }
    }

    /// Starts a proxy on a free port of 127.0.0.1 in ``FaultProxyMode/pass`` mode, forwarding to
    /// 127.0.0.1:`upstreamPort`.
    /// - Throws: ``FaultProxyError`` when it cannot listen.
    public static func start(upstreamPort: Int) throws -> FaultProxy {
        let (listener, port) = try FaultProxySocket.listen(port: 0)
        let proxy = FaultProxy(port: port, upstreamPort: upstreamPort, listener: listener)
        Thread.detachNewThread { [proxy] in
            proxy.acceptLoop()
        }
        return proxy
    }

    /// The current fault; setting it takes effect at once (see ``FaultProxyMode`` for each mode).
    public var mode: FaultProxyMode {
        get { state.withLock { $0.mode } }
        set {
            let ending: FaultProxyConnection.Ending?
            switch newValue {
            case .reset, .refuse: ending = .reset
            case .close: ending = .close
            case .pass, .latency, .blackHole, .slices: ending = nil
            }
            let open = state.withLock { state -> [FaultProxyConnection] in
                state.mode = newValue
                return ending == nil ? [] : state.connections
            }
            if let ending {
                for connection in open {
                    connection.end(ending)
                }
            }
        }
    }

    /// How many client connections the proxy has accepted so far (refused attempts are not counted).
    public var acceptedConnections: Int {
        state.withLock { $0.accepted }
    }

    /// How many bytes the proxy has read from its clients so far, forwarded or held (``FaultProxyMode/latency(_:)``
    /// holds what it read; a ``FaultProxyMode/blackHole`` reads nothing): a test waits for a request to reach the
    /// proxy instead of sleeping.
    public var bytesReceivedFromClients: Int {
        state.withLock { $0.receivedFromClients }
    }

    /// Closes every connection and stops listening; returns once the proxy's threads have let go of their sockets.
    public func stop() async {
        let open = state.withLock { state -> [FaultProxyConnection] in
            state.stopped = true
            return state.connections
        }
        for connection in open {
            connection.end(.close)
        }
        for _ in 0..<200 where open.contains(where: { !$0.isFinished }) || listenerOpen {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private var listenerOpen: Bool {
        state.withLock { $0.listener >= 0 }
    }

    // MARK: The accept thread

    private func acceptLoop() {
        while true {
            let (stopped, mode, listener) = state.withLock { ($0.stopped, $0.mode, $0.listener) }
            if stopped {
                closeListener()
                return
            }
            if mode == .refuse {
                closeListener()
                Platform.sleep(microseconds: 10_000)
                continue
            }
            guard listener >= 0 else {
                reopenListener()
                continue
            }
            guard FaultProxySocket.wait(listener, for: .readable, milliseconds: 20) else { continue }
            let client = Platform.accept(listener)
            guard client >= 0 else { continue }
            admit(client)
        }
    }

    private func admit(_ client: Int32) {
        let mode = state.withLock { state -> FaultProxyMode in
            state.accepted += 1
            return state.mode
        }
        switch mode {
        case .reset, .refuse:
            FaultProxySocket.reset(client)
            return
        case .close:
            Platform.close(client)
            return
        case .pass, .latency, .blackHole, .slices:
            break
        }
        guard let upstream = FaultProxySocket.connect(port: upstreamPort) else {
            FaultProxySocket.reset(client)
            return
        }
        FaultProxySocket.prepare(client)
        let connection = FaultProxyConnection(client: client, upstream: upstream)
        state.withLock { state in
            state.connections.removeAll { $0.isFinished }
            state.connections.append(connection)
            // The mode may have changed while connecting upstream; the setter only ends listed connections.
            switch state.mode {
            case .reset, .refuse: connection.end(.reset)
            case .close: connection.end(.close)
            case .pass, .latency, .blackHole, .slices: break
            }
        }
        connection.start(
            mode: { [weak self] in self?.mode ?? .close },
            clientBytes: { [weak self] count in self?.state.withLock { $0.receivedFromClients += count } }
        )
    }

    private func closeListener() {
        let listener = state.withLock { state -> Int32 in
            let listener = state.listener
            state.listener = -1
            return listener
        }
        if listener >= 0 {
            Platform.close(listener)
        }
    }

    /// Listens again on the same port after ``FaultProxyMode/refuse``; retried until the port is free.
    private func reopenListener() {
        guard let (listener, _) = try? FaultProxySocket.listen(port: port) else {
            Platform.sleep(microseconds: 10_000)
            return
        }
        state.withLock { $0.listener = listener }
    }
}
