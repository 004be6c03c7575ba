import AuthKit
import AuthKitTesting
import InMemoryLogging
import Logging
import ServiceLifecycle
import Testing

extension AuthKitTests {
    /// A service group shutting down gracefully must see AuthKit's `run()` return, or the app never exits.
    @Test func runEndsOnGracefulShutdown() async throws {
        let harness = try await Harness()
        var log = InMemoryLogHandler()
        log.logLevel = .debug
        let group = ServiceGroup(
            configuration: .init(services: [harness.auth], logger: Logger(label: "test", factory: { [log] _ in log }))
        )
        let events = harness.auth.events
        let ended = try await withThrowingTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try await group.run()
                return true
            }
            tasks.addTask {
                // A liveness bound, not a speed assertion: a hang is the failure being tested for.
                try await Task.sleep(for: .seconds(120))
                return false
            }
            // The shutdown must reach a running AuthKit, not a group that has not started it yet.
            let started = try await TestTiming.eventually {
                log.entries.contains { $0.message.description == "Starting service" }
            }
            #expect(started, "the service group did not start AuthKit")
            await group.triggerGracefulShutdown()
            let first = try await tasks.next() ?? false
            tasks.cancelAll()
            return first
        }
        #expect(ended, "AuthKit.run() did not return after a graceful shutdown")
        // Shutting down also ends the event streams.
        for await _ in events {}
    }
}
