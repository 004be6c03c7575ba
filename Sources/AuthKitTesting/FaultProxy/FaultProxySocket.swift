import AuthKitPlatform

/// The few socket calls the fault proxy makes, each turning a failure into a ``FaultProxyError`` or a flag.
enum FaultProxySocket {
    /// A listening socket on 127.0.0.1 at `port` (0 picks a free one); returns the descriptor and the port.
    static func listen(port: Int) throws(FaultProxyError) -> (fd: Int32, port: Int) {
        let fd = Platform.streamSocket(family: Platform.inetFamily, nonBlocking: false)
        guard fd >= 0 else { throw FaultProxyError("socket() failed: errno \(Platform.errorNumber)") }
        Platform.setReuseAddress(fd)
        let bound = Platform.bind(fd, to: .loopback(port: port)) == 0 ? Platform.localPort(fd) : nil
        guard let bound, Platform.listen(fd, backlog: 128) == 0 else {
            let code = Platform.errorNumber
            Platform.close(fd)
            throw FaultProxyError("cannot listen on 127.0.0.1:\(port): errno \(code)")
        }
        Platform.setNonBlocking(fd)
        return (fd, bound)
    }

    /// A blocking connect to 127.0.0.1:`port`, then non-blocking with Nagle off; `nil` when refused.
    static func connect(port: Int) -> Int32? {
        let fd = Platform.streamSocket(family: Platform.inetFamily, nonBlocking: false)
        guard fd >= 0 else { return nil }
        guard Platform.connect(fd, to: .loopback(port: port)) == 0 else {
            Platform.close(fd)
            return nil
        }
        prepare(fd)
        return fd
    }

    /// Non-blocking with Nagle off, so a 1-byte write leaves as its own segment.
    static func prepare(_ fd: Int32) {
        Platform.setNonBlocking(fd)
        Platform.setNoDelay(fd)
    }

    /// Closes with SO_LINGER 0, which makes the kernel send RST instead of FIN.
    static func reset(_ fd: Int32) {
        Platform.closeWithReset(fd)
    }

    /// Waits up to `milliseconds` for `events` on `fd`; true when it is ready (or in error, which the next
    /// read or write reports).
    static func wait(_ fd: Int32, for events: Platform.PollEvents, milliseconds: Int32) -> Bool {
        Platform.wait(fd, for: events, milliseconds: milliseconds)
    }
}
