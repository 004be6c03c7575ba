import AuthKitTesting
import RedisClient
import Synchronization

/// Clients beside the measured ones that keep one command in flight at a time against a live server, back to
/// back: their I/O threads busy-poll (``RedisConfiguration/busyPoll``) and compete for the processors, as the
/// clients of other tests in the same process do.
final class BusyNeighbours: Sendable {
    private let server: RedisTestServer
    private let clients: [RedisClient]
    private let stopped = Atomic<Bool>(false)
    private let calls = Atomic<Int>(0)
    private let tasks = Mutex<[Task<Void, Never>]>([])

    init(count: Int, busyPollMicroseconds: Int?) async throws {
        server = try await RedisTestServer.start()
        clients = (0..<count).map { [server] _ in
            var configuration = RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: server.port))
            if let busyPoll = busyPollMicroseconds {
                configuration.busyPoll = .microseconds(busyPoll)
            }
            return RedisClient(configuration: configuration)
        }
        let started = clients.map { client in
            Task { [self] in
                while !stopped.load(ordering: .relaxed) {
                    if (try? await client.send("PING")) != nil { calls.add(1, ordering: .relaxed) }
                }
            }
        }
        tasks.withLock { $0 = started }
    }

    /// Stops the load and returns how many PINGs were answered.
    func stop() async -> Int {
        stopped.store(true, ordering: .relaxed)
        for task in tasks.withLock({ $0 }) { await task.value }
        for client in clients { await client.shutdown() }
        server.terminate()
        return calls.load(ordering: .relaxed)
    }
}
