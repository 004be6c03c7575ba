import AuthKitPlatform

/// The few socket calls a connection makes, each turning `errno` into a ``RedisError`` right after the call.
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
            let addresses: [Platform.SocketAddress]
            switch Platform.SocketAddress.resolve(host: host, port: port) {
            case .success(let resolved): addresses = resolved
            case .failure(let error): throw RedisError(.connectionFailed, "cannot resolve \(host): \(error.reason)")
            }
            var lastError = RedisError(.connectionFailed, "no address for \(host)")
            for address in addresses {
                do {
                    let fd = try makeSocket(family: address.family)
                    Platform.setNoDelay(fd)
                    if Platform.connect(fd, to: address) == 0 {
                        return (fd, true)
                    }
                    let code = Platform.errorNumber
                    if Platform.isInProgress(code) {
                        return (fd, false)
                    }
                    Platform.close(fd)
                    lastError = RedisError(.connectionFailed, "connect to \(host):\(port) failed: \(describe(code))")
                } catch {
                    lastError = error
                }
            }
            throw lastError
        case .unix(let path):
            guard let address = Platform.SocketAddress.unix(path: path) else {
                let capacity = Platform.SocketAddress.unixPathCapacity
                throw RedisError(.invalidConfiguration, "unix socket path longer than \(capacity) bytes")
            }
            let fd = try makeSocket(family: address.family)
            if Platform.connect(fd, to: address) == 0 {
                return (fd, true)
            }
            let code = Platform.errorNumber
            if Platform.isInProgress(code) || Platform.isAgain(code) {
                return (fd, false)
            }
            Platform.close(fd)
            throw RedisError(.connectionFailed, "connect to \(path) failed: \(describe(code))")
        }
    }

    /// The result of a finished non-blocking connect (`SO_ERROR`), as an error or `nil`.
    static func pendingError(_ fd: Int32) -> RedisError? {
        let code = Platform.pendingSocketError(fd)
        return code == 0 ? nil : RedisError(.connectionFailed, "connect failed: \(describe(code))")
    }

    /// Sends what the kernel takes now; a closed peer is an error, not SIGPIPE.
    static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws(RedisError) -> Int {
        let result = Platform.send(fd, bytes)
        if result >= 0 {
            return result
        }
        let code = Platform.errorNumber
        if Platform.isTransient(code) {
            return 0
        }
        throw RedisError(.connectionClosed, "send failed: \(describe(code))")
    }

    static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(RedisError) -> ReadResult {
        let result = Platform.receive(fd, into: buffer)
        if result > 0 {
            return .bytes(result)
        }
        if result == 0 {
            return .closed
        }
        let code = Platform.errorNumber
        if Platform.isTransient(code) {
            return .wouldBlock
        }
        throw RedisError(.connectionClosed, "receive failed: \(describe(code))")
    }

    private static func makeSocket(family: Int32) throws(RedisError) -> Int32 {
        let fd = Platform.streamSocket(family: family, nonBlocking: true)
        if fd < 0 {
            throw RedisError(.connectionFailed, "socket() failed: \(describe(Platform.errorNumber))")
        }
        return fd
    }

    static func describe(_ code: Int32) -> String {
        Platform.describe(code)
    }
}
