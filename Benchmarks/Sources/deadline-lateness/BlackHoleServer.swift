import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A TCP listener on 127.0.0.1 that accepts every connection and never reads or answers: a server that hangs
/// above TCP. Accepted sockets are held open for a minute (far past any deadline measured), then closed, so the
/// process does not run out of descriptors on a long run.
final class BlackHoleServer: Sendable {
    let port: Int
    private let listener: Int32
    private let stopped = Atomic<Bool>(false)

    init() throws(LatenessError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard fd >= 0, bound, listen(fd, 4096) == 0 else { throw LatenessError("cannot listen on a loopback port") }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    private func acceptLoop() {
        var held: [(fd: Int32, at: UInt64)] = []
        while !stopped.load(ordering: .relaxed) {
            var pollfd = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            if poll(&pollfd, 1, 50) > 0 {
                let client = accept(listener, nil, nil)
                if client >= 0 { held.append((client, nanosecondsNow())) }
            }
            let cutoff = nanosecondsNow() &- 60_000_000_000
            while let first = held.first, first.at < cutoff {
                close(first.fd)
                held.removeFirst()
            }
        }
        for connection in held { close(connection.fd) }
        close(listener)
    }
}

/// Monotonic nanoseconds, the clock `RedisClient` measures its deadlines with.
func nanosecondsNow() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
}
