#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one place AuthKit calls the C library: descriptors, sockets, `poll`, threads, signals and clocks.
///
/// Every other file reaches the operating system through these functions, so that a port to another C library
/// touches this module only (`make lint` refuses `import Glibc`, `Glibc.` and their Musl and Darwin spellings
/// anywhere else). Linux with Glibc is the platform CI builds; the Musl (static Linux SDK) and Darwin branches are
/// written from those platforms' headers and documentation and are not compiled here.
///
/// The functions return what the system call returns (`-1` and ``errorNumber`` on failure) unless a comment
/// says otherwise: callers turn failures into their own errors.
package enum Platform {
    /// The calling thread's `errno`.
    package static var errorNumber: Int32 { errno }

    /// `strerror` of `code`.
    package static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }

    /// `EAGAIN`/`EWOULDBLOCK` or `EINTR`: a non-blocking call that may succeed when retried.
    package static func isTransient(_ code: Int32) -> Bool {
        code == EAGAIN || code == EWOULDBLOCK || code == EINTR
    }

    /// `EINPROGRESS`: a non-blocking connect that goes on in the background.
    package static func isInProgress(_ code: Int32) -> Bool {
        code == EINPROGRESS
    }

    /// `EAGAIN`: on a Unix socket, a non-blocking connect whose backlog is full (it completes later).
    package static func isAgain(_ code: Int32) -> Bool {
        code == EAGAIN
    }

    /// Closes a descriptor.
    @discardableResult
    package static func close(_ descriptor: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.close(descriptor)
        #elseif canImport(Musl)
        Musl.close(descriptor)
        #elseif canImport(Darwin)
        Darwin.close(descriptor)
        #endif
    }

    /// `read` into `buffer`.
    package static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, buffer.baseAddress, buffer.count)
        #elseif canImport(Musl)
        Musl.read(descriptor, buffer.baseAddress, buffer.count)
        #elseif canImport(Darwin)
        Darwin.read(descriptor, buffer.baseAddress, buffer.count)
        #endif
    }

    /// `write` of `buffer`.
    package static func write(_ descriptor: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, buffer.baseAddress, buffer.count)
        #elseif canImport(Musl)
        Musl.write(descriptor, buffer.baseAddress, buffer.count)
        #elseif canImport(Darwin)
        Darwin.write(descriptor, buffer.baseAddress, buffer.count)
        #endif
    }

    /// Reads up to `limit` bytes of the file at `path` (`nil` when it cannot be opened).
    package static func readFile(_ path: String, limit: Int) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count < limit {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, into: $0) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[..<min(count, limit - bytes.count)]
        }
        return bytes
    }

    /// Whether the file at `path` exists and this process may execute it.
    package static func isExecutable(_ path: String) -> Bool {
        access(path, X_OK) == 0
    }

    /// Compares `count` bytes (`memcmp`); `true` when equal.
    package static func bytesEqual(_ lhs: UnsafeRawPointer, _ rhs: UnsafeRawPointer, count: Int) -> Bool {
        memcmp(lhs, rhs, count) == 0
    }

    /// The offset of the first `byte` in `bytes` (`memchr`), or `nil`.
    package static func firstOffset(of byte: UInt8, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, let found = memchr(base, Int32(byte), bytes.count) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// The number of processors online (`sysconf(_SC_NPROCESSORS_ONLN)`), at least 1.
    package static func onlineProcessors() -> Int {
        max(Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))), 1)
    }
}
