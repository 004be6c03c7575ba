#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Platform {
    /// The signals AuthKit sends to processes it started (test servers).
    package enum Signal: Sendable {
        /// `SIGTERM`.
        case terminate
        /// `SIGKILL`.
        case kill
        /// `SIGSTOP`.
        case stop
        /// `SIGCONT`.
        case resume

        var number: Int32 {
            switch self {
            case .terminate: SIGTERM
            case .kill: SIGKILL
            case .stop: SIGSTOP
            case .resume: SIGCONT
            }
        }
    }

    /// Sends `signal` to the process `pid`.
    @discardableResult
    package static func send(_ signal: Signal, to pid: Int32) -> Int32 {
        #if canImport(Glibc)
        Glibc.kill(pid, signal.number)
        #elseif canImport(Musl)
        Musl.kill(pid, signal.number)
        #elseif canImport(Darwin)
        Darwin.kill(pid, signal.number)
        #endif
    }

    /// This process's id.
    package static var processID: Int32 { getpid() }
}
