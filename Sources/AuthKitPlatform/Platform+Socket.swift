#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Platform {
    /// `AF_INET`.
    package static var inetFamily: Int32 { AF_INET }

    /// `SOCK_STREAM`: a member of an enum struct in Glibc's headers, a plain macro in Musl's and Darwin's.
    static var streamType: Int32 {
        #if canImport(Glibc)
        Int32(SOCK_STREAM.rawValue)
        #else
        SOCK_STREAM
        #endif
    }

    /// A new TCP or Unix stream socket of `family`, close-on-exec, non-blocking when asked; `-1` on failure.
    ///
    /// Darwin has neither `SOCK_NONBLOCK` nor `SOCK_CLOEXEC` (they are set with `fcntl` after the fact) nor
    /// `MSG_NOSIGNAL` (`SO_NOSIGPIPE` on the socket keeps a closed peer from raising SIGPIPE instead).
    package static func streamSocket(family: Int32, nonBlocking: Bool) -> Int32 {
        #if canImport(Glibc)
        let flags = Int32(SOCK_CLOEXEC.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
        return socket(family, streamType | flags, 0)
        #elseif canImport(Musl)
        let flags = Int32(SOCK_CLOEXEC) | (nonBlocking ? Int32(SOCK_NONBLOCK) : 0)
        return socket(family, streamType | flags, 0)
        #elseif canImport(Darwin)
        let fd = socket(family, streamType, 0)
        guard fd >= 0 else { return fd }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if nonBlocking {
            setNonBlocking(fd)
        }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        return fd
        #endif
    }

    /// The `send` flag that turns a write to a closed peer into `EPIPE` instead of SIGPIPE (0 on Darwin, whose
    /// sockets carry `SO_NOSIGPIPE` from ``streamSocket(family:nonBlocking:)``).
    private static var noSignal: Int32 {
        #if canImport(Darwin)
        0
        #else
        Int32(MSG_NOSIGNAL)
        #endif
    }

    /// `send` without SIGPIPE; with `dontWait`, non-blocking even on a blocking socket (`MSG_DONTWAIT`).
    package static func send(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, dontWait: Bool = false) -> Int {
        let flags = noSignal | (dontWait ? Int32(MSG_DONTWAIT) : 0)
        #if canImport(Glibc)
        return Glibc.send(fd, bytes.baseAddress, bytes.count, flags)
        #elseif canImport(Musl)
        return Musl.send(fd, bytes.baseAddress, bytes.count, flags)
        #elseif canImport(Darwin)
        return Darwin.send(fd, bytes.baseAddress, bytes.count, flags)
        #endif
    }

    /// `recv` into `buffer`.
    package static func receive(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        recv(fd, buffer.baseAddress, buffer.count, 0)
    }

    /// `connect` to `address`.
    package static func connect(_ fd: Int32, to address: SocketAddress) -> Int32 {
        address.withSockaddr { pointer, length in
            #if canImport(Glibc)
            Glibc.connect(fd, pointer, length)
            #elseif canImport(Musl)
            Musl.connect(fd, pointer, length)
            #elseif canImport(Darwin)
            Darwin.connect(fd, pointer, length)
            #endif
        }
    }

    /// `bind` to `address`.
    package static func bind(_ fd: Int32, to address: SocketAddress) -> Int32 {
        address.withSockaddr { pointer, length in
            #if canImport(Glibc)
            Glibc.bind(fd, pointer, length)
            #elseif canImport(Musl)
            Musl.bind(fd, pointer, length)
            #elseif canImport(Darwin)
            Darwin.bind(fd, pointer, length)
            #endif
        }
    }

    /// `listen` with `backlog`.
    package static func listen(_ fd: Int32, backlog: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.listen(fd, backlog)
        #elseif canImport(Musl)
        Musl.listen(fd, backlog)
        #elseif canImport(Darwin)
        Darwin.listen(fd, backlog)
        #endif
    }

    /// `accept`, without the peer's address.
    package static func accept(_ fd: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.accept(fd, nil, nil)
        #elseif canImport(Musl)
        Musl.accept(fd, nil, nil)
        #elseif canImport(Darwin)
        Darwin.accept(fd, nil, nil)
        #endif
    }

    /// The local IPv4 port a socket is bound to (`getsockname`), or `nil`.
    package static func localPort(_ fd: Int32) -> Int? {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return result == 0 ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// Sets `O_NONBLOCK`.
    package static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK)
    }

    /// Sets `FD_CLOEXEC`.
    package static func setCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
    }

    /// Turns Nagle's algorithm off (`TCP_NODELAY`), so a small write leaves at once.
    package static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sets `SO_REUSEADDR`.
    package static func setReuseAddress(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Closes with `SO_LINGER` 0, which makes the kernel send RST instead of FIN.
    package static func closeWithReset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// The outcome of a finished non-blocking connect (`SO_ERROR`, or `errno` when that cannot be read); 0 when it
    /// succeeded.
    package static func pendingSocketError(_ fd: Int32) -> Int32 {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) != 0 {
            code = errno
        }
        return code
    }
}
