import Logging
import Synchronization

/// When one client last closed a connection, read off its log: `RedisClient` logs "Redis connection closed" on its
/// I/O thread right after it has failed the connection's commands, so that moment is when the completion of a
/// command that timed out ran on the loop thread, whether or not the caller has been resumed yet.
final class ClosedConnectionProbe: Sendable {
    private let lastClose = Atomic<UInt64>(0)

    /// The latest close, in monotonic nanoseconds (0: none yet).
    var lastClosed: UInt64 { lastClose.load(ordering: .acquiring) }

    /// A logger for the client whose closes this probe records; every other message is dropped.
    var logger: Logger {
        Logger(label: "deadline-lateness") { _ in Handler(probe: self) }
    }

    fileprivate func recordClose() {
        lastClose.store(nanosecondsNow(), ordering: .releasing)
    }

    private struct Handler: LogHandler {
        let probe: ClosedConnectionProbe
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        var logLevel: Logger.Level = .debug

        func log(event: LogEvent) {
            if event.message.description == "Redis connection closed" {
                probe.recordClose()
            }
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
    }
}
