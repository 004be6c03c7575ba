#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Platform {
    /// A socket address (`sockaddr_in`, `sockaddr_in6` or `sockaddr_un`) held as bytes, with its family.
    package struct SocketAddress {
        /// `AF_INET`, `AF_INET6` or `AF_UNIX`.
        package let family: Int32
        private var storage = sockaddr_storage()
        private let length: socklen_t

        /// Copies the `length` bytes of a `sockaddr_*` at `raw`, clamped to `sockaddr_storage`'s size.
        private init(family: Int32, raw: UnsafeRawBufferPointer) {
            self.family = family
            let count = min(raw.count, MemoryLayout<sockaddr_storage>.size)
            self.length = socklen_t(count)
            withUnsafeMutableBytes(of: &storage) {
                $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[..<count]))
            }
        }

        private init<Address>(family: Int32, copying address: Address) {
            var address = address
            self = withUnsafeBytes(of: &address) { SocketAddress(family: family, raw: $0) }
        }

        /// The longest Unix socket path, in bytes (`sun_path` less its terminating zero).
        package static var unixPathCapacity: Int {
            MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1
        }

        /// The address of the Unix socket at `path`, or `nil` when the path is longer than ``unixPathCapacity``.
        package static func unix(path: String) -> SocketAddress? {
            var address = sockaddr_un()
            #if canImport(Darwin)
            address.sun_len = UInt8(MemoryLayout<sockaddr_un>.size)
            #endif
            address.sun_family = sa_family_t(AF_UNIX)
            let utf8 = Array(path.utf8)
            guard utf8.count <= unixPathCapacity else { return nil }
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: utf8) }
            return SocketAddress(family: AF_UNIX, copying: address)
        }

        /// 127.0.0.1:`port`.
        package static func loopback(port: Int) -> SocketAddress {
            var address = sockaddr_in()
            #if canImport(Darwin)
            address.sin_len = UInt8(MemoryLayout<sockaddr_in>.size)
            #endif
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            return SocketAddress(family: AF_INET, copying: address)
        }

        /// The stream addresses of `host`:`port` in `getaddrinfo`'s order (any family), or why there are none.
        ///
        /// Resolution blocks the calling thread while the resolver works.
        package static func resolve(host: String, port: Int) -> Result<[SocketAddress], ResolutionError> {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Platform.streamType
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, String(port), &hints, &list)
            guard status == 0, let first = list else {
                return .failure(ResolutionError(reason: String(cString: gai_strerror(status))))
            }
            defer { freeaddrinfo(list) }
            var addresses: [SocketAddress] = []
            var current: UnsafeMutablePointer<addrinfo>? = first
            while let info = current {
                current = info.pointee.ai_next
                guard let address = info.pointee.ai_addr else { continue }
                let raw = UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen))
                addresses.append(SocketAddress(family: info.pointee.ai_family, raw: raw))
            }
            return .success(addresses)
        }

        /// Calls `body` with the address as a `sockaddr` pointer and its length.
        func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
            withUnsafePointer(to: storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
            }
        }
    }

    /// Whether `host` is an IPv4 or IPv6 address literal (`inet_pton`) rather than a name.
    package static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// Why `getaddrinfo` found no address (`gai_strerror`).
    package struct ResolutionError: Error, Sendable {
        /// The resolver's message.
        package let reason: String
    }
}
