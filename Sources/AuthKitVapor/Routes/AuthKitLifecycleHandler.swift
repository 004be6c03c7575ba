#if Vapor
public import AuthKit
import Synchronization
public import Vapor

/// Runs an `AuthKit` issuer (or an `AuthKitVerifier`) as long as the Vapor application: its store's
/// connections and permission invalidations are serviced from boot, and it is shut down with the application.
///
/// ```swift
/// app.lifecycle.use(AuthKitLifecycleHandler(auth))
/// ```
public final class AuthKitLifecycleHandler: LifecycleHandler, Sendable {
    private let service: @Sendable () async throws -> Void
    private let stop: @Sendable () async -> Void
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// Runs `auth` with the application.
    public convenience init(_ auth: AuthKit) {
        self.init(run: { try await auth.run() }, shutdown: { await auth.shutdown() })
    }

    /// Runs `verifier` with the application.
    public convenience init(_ verifier: AuthKitVerifier) {
        self.init(run: { try await verifier.run() }, shutdown: { await verifier.shutdown() })
    }

    private init(run: @escaping @Sendable () async throws -> Void, shutdown: @escaping @Sendable () async -> Void) {
        self.service = run
        self.stop = shutdown
    }

    /// Starts servicing the store once the application has booted.
    public func didBootAsync(_ application: Application) async throws {
        let service = self.service
        let logger = application.logger
        task.withLock {
            $0 = Task {
                do {
                    try await service()
                } catch {
                    logger.error("AuthKit stopped", metadata: ["error": "\(error)"])
                }
            }
        }
    }

    /// Stops servicing the store and releases it.
    public func shutdownAsync(_ application: Application) async {
        let running = task.withLock { task in
            defer { task = nil }
            return task
        }
        running?.cancel()
        await running?.value
        await stop()
    }
}
#endif
