import AuthKitPlatform
import Foundation
import Synchronization

/// One proxied connection: two pump threads, one per direction, that share the two descriptors.
///
/// The descriptors are closed only by the last pump to finish, so no thread ever polls a closed (and possibly
/// reused) descriptor; ending a connection just sets a flag that both pumps see within one poll interval.
final class FaultProxyConnection: Sendable {
    enum Ending: Sendable {
        case reset
        case close
    }

    private struct State {
        var ending: Ending?
        var pumpsRunning = 2
    }

    private let client: Int32
    private let upstream: Int32
    private let state = Mutex(State())

    init(client: Int32, upstream: Int32) {
        self.client = client
        self.upstream = upstream
    }

    /// How the connection is ending, or `nil` while it runs.
    var ending: Ending? {
        state.withLock { $0.ending }
    }

    /// Asks both pumps to stop; the first request wins (a reset stays a reset).
    func end(_ ending: Ending) {
        state.withLock { state in
            if state.ending == nil {
                state.ending = ending
            }
        }
    }

    /// Starts the two pump threads; `clientBytes` hears how many bytes each read from the client carried.
    func start(mode: @escaping @Sendable () -> FaultProxyMode, clientBytes: @escaping @Sendable (Int) -> Void) {
        Thread.detachNewThread { [self] in
            pump(from: client, to: upstream, mode: mode, received: clientBytes)
        }
        Thread.detachNewThread { [self] in
            pump(from: upstream, to: client, mode: mode, received: { _ in })
        }
    }

    private func pump(
        from source: Int32,
        to destination: Int32,
        mode: @Sendable () -> FaultProxyMode,
        received: @Sendable (Int) -> Void
    ) {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while ending == nil {
            // A black hole holds the bytes where they are instead of dropping them: TCP never loses the middle
            // of a stream, so after the fault the stream resumes in order (or the client has given up on it).
            if mode() == .blackHole {
                Platform.sleep(microseconds: 5_000)
                continue
            }
            guard FaultProxySocket.wait(source, for: .readable, milliseconds: 20) else { continue }
            let count = buffer.withUnsafeMutableBytes { Platform.read(source, into: $0) }
            if count == 0 {
                end(.close)
                break
            }
            if count < 0 {
                if Platform.isTransient(Platform.errorNumber) { continue }
                end(.reset)
                break
            }
            received(count)
            let arrived = ContinuousClock.now
            switch mode() {
            case .latency(let delay):
                while ending == nil, ContinuousClock.now < arrived + delay {
                    Platform.sleep(microseconds: 5_000)
                }
                _ = write(buffer[0..<count], to: destination)
            case .slices:
                for index in 0..<count where ending == nil {
                    _ = write(buffer[index..<index + 1], to: destination)
                    Platform.sleep(microseconds: 100)
                }
            case .blackHole:
                // The mode turned while this pump waited for the bytes: hold them too, so that a black hole takes
                // effect for everything not yet forwarded, however late this thread ran (a sanitizer run once
                // forwarded a batch sent 60 ms after the switch).
                while ending == nil, mode() == .blackHole {
                    Platform.sleep(microseconds: 5_000)
                }
                if ending == nil {
                    _ = write(buffer[0..<count], to: destination)
                }
            case .pass, .reset, .close, .refuse:
                _ = write(buffer[0..<count], to: destination)
            }
        }
        finish()
    }

    /// Writes all of `bytes` (`MSG_NOSIGNAL`: a closed peer is an error, not SIGPIPE), waiting for room without blocking so an ending is noticed; false on error.
    private func write(_ bytes: ArraySlice<UInt8>, to destination: Int32) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex, ending == nil {
            let written = bytes[offset...].withUnsafeBytes { Platform.send(destination, $0) }
            if written > 0 {
                offset += written
            } else if written < 0, Platform.isTransient(Platform.errorNumber) {
                _ = FaultProxySocket.wait(destination, for: .writable, milliseconds: 20)
            } else {
                end(.reset)
                return false
            }
        }
        return offset == bytes.endIndex
    }

    private func finish() {
        let last = state.withLock { state -> Ending? in
            state.pumpsRunning -= 1
            return state.pumpsRunning == 0 ? (state.ending ?? .close) : nil
        }
        switch last {
        case .reset:
            FaultProxySocket.reset(client)
            FaultProxySocket.reset(upstream)
        case .close:
            Platform.close(client)
            Platform.close(upstream)
        case nil:
            break
        }
    }

    /// Whether both pumps have finished and the descriptors are closed.
    var isFinished: Bool {
        state.withLock { $0.pumpsRunning == 0 }
    }
}
