#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few POSIX socket calls a connection makes, each turning `errno` into a ``RedisError`` right after the call.
enum PosixSocket {
    /// Outcome of a non-blocking `recv`.
    enum ReadResult {
        case bytes(Int)
        case wouldBlock
        case closed
    }

    /// Starts a non-blocking connect; `true` when it completed at once (typical for Unix sockets).
    ///
    /// Name resolution (`getaddrinfo`) blocks the loop thread briefly; it never runs on the cooperative pool.
    static func connect(to endpoint: RedisConfiguration.Endpoint) throws(RedisError) -> (fd: Int32, done: Bool) {
        switch endpoint {
        case .tcp(let host, let port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let first = list else {
                let reason = String(cString: gai_strerror(status))
                throw RedisError(.connectionFailed, "cannot resolve \(host): \(reason)")
            }
            defer { freeaddrinfo(list) }
            var lastError = RedisError(.connectionFailed, "no address for \(host)")
            var current: UnsafeMutablePointer<addrinfo>? = first
            while let info = current {
                current = info.pointee.ai_next
                do {
                    let fd = try makeSocket(family: info.pointee.ai_family)
                    var one: Int32 = 1
                    _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                    let result = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
                    if result == 0 {
                        return (fd, true)
                    }
                    let code = errno
                    if code == EINPROGRESS {
                        return (fd, false)
                    }
                    close(fd)
                    lastError = RedisError(.connectionFailed, "connect to \(host):\(port) failed: \(describe(code))")
                } catch {
                    lastError = error
                }
            }
            throw lastError
        case .unix(let path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            let capacity = MemoryLayout.size(ofValue: address.sun_path)
            guard bytes.count < capacity else {
                throw RedisError(.invalidConfiguration, "unix socket path longer than \(capacity - 1) bytes")
            }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                raw.copyBytes(from: bytes)
            }
            let fd = try makeSocket(family: AF_UNIX)
            let result = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            if result == 0 {
                return (fd, true)
            }
            let code = errno
            if code == EINPROGRESS || code == EAGAIN {
                return (fd, false)
            }
            close(fd)
            throw RedisError(.connectionFailed, "connect to \(path) failed: \(describe(code))")
        }
    }

    /// The result of a finished non-blocking connect (`SO_ERROR`), as an error or `nil`.
    static func pendingError(_ fd: Int32) -> RedisError? {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 {
            code = errno
        }
        return code == 0 ? nil : RedisError(.connectionFailed, "connect failed: \(describe(code))")
    }

    /// Sends what the kernel takes now; `MSG_NOSIGNAL` so a closed peer is an error, not SIGPIPE.
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(RedisError) -> Int {
        let result = Glibc.send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        if result >= 0 {
            return result
        }
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK || code == EINTR {
            return 0
        }
        throw RedisError(.connectionClosed, "send failed: \(describe(code))")
    }

    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(RedisError) -> ReadResult {
        let result = recv(fd, buffer.baseAddress, buffer.count, 0)
        if result > 0 {
            return .bytes(result)
        }
        if result == 0 {
            return .closed
        }
        let code = errno
        if code == EAGAIN || code == EWOULDBLOCK || code == EINTR {
            return .wouldBlock
        }
        throw RedisError(.connectionClosed, "receive failed: \(describe(code))")
    }

    private static func makeSocket(family: Int32) throws(RedisError) -> Int32 {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = socket(family, type, 0)
        if fd < 0 {
            throw RedisError(.connectionFailed, "socket() failed: \(describe(errno))")
        }
        return fd
    }

    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
