import Testing

@testable import RedisClient

/// One command's life on a cluster, event by event, without I/O.
@Suite("ClusterCommandAttempt")
struct ClusterCommandAttemptTests {
    static let millisecond: UInt64 = 1_000_000
    let a = RedisNodeAddress(host: "10.0.0.1", port: 6379)
    let b = RedisNodeAddress(host: "10.0.0.2", port: 6379)

    private func attempt(deadline: UInt64 = 1_000 * millisecond, redirects: Int = 3) -> ClusterCommandAttempt {
        ClusterCommandAttempt(
            maximumRedirects: redirects,
            pacing: RetryPacing(deadline: deadline, initial: 5 * Self.millisecond, maximum: 40 * Self.millisecond)
        )
    }

    @Test("a plain reply, or an error of the command's own, finishes it")
    func finishes() {
        var command = attempt()
        let plain = command.next(after: .reply(.bulk([1]), from: a), now: 0)
        #expect(plain.action == .finish(.success(.bulk([1]))))
        let wrongType = RedisReply.error("WRONGTYPE Operation against a key")
        let own = command.next(after: .reply(wrongType, from: a), now: 0)
        #expect(own.action == .finish(.success(wrongType)))
    }

    @Test("MOVED updates the map, asks for a refresh and retries on the new owner at once")
    func moved() {
        var command = attempt()
        let decision = command.next(after: .reply(.error("MOVED 42 10.0.0.2:6379"), from: a), now: 0)
        #expect(decision.action == .retry(.node(b, asking: false), delay: 0))
        #expect(decision.moved?.slot == 42)
        #expect(decision.moved?.node == b)
        #expect(decision.refreshMap)
    }

    @Test("ASK retries once on the importing node with ASKING, without touching the map")
    func ask() {
        var command = attempt()
        let decision = command.next(after: .reply(.error("ASK 42 10.0.0.2:6379"), from: a), now: 0)
        #expect(decision.action == .retry(.node(b, asking: true), delay: 0))
        #expect(decision.moved == nil)
        #expect(!decision.refreshMap)
        let answered = command.next(after: .reply(.status("OK"), from: b), now: 0)
        #expect(answered.action == .finish(.success(.status("OK"))))
    }

    @Test("redirections are bounded: nodes that disagree cannot bounce a command forever")
    func redirectLimit() {
        var command = attempt(redirects: 2)
        _ = command.next(after: .reply(.error("MOVED 1 10.0.0.2:6379"), from: a), now: 0)
        _ = command.next(after: .reply(.error("MOVED 1 10.0.0.1:6379"), from: b), now: 0)
        let decision = command.next(after: .reply(.error("MOVED 1 10.0.0.2:6379"), from: a), now: 0)
        guard case .finish(.failure(let error)) = decision.action else {
            Issue.record("expected a failure, got \(decision.action)")
            return
        }
        #expect(error.code == .server)
        #expect(error.message.hasPrefix("MOVED 1"))
    }

    @Test("TRYAGAIN and LOADING pause, doubling up to the maximum, while the deadline allows")
    func tryAgain() {
        var command = attempt(deadline: 60 * Self.millisecond)
        let reply = RedisReply.error("TRYAGAIN Multiple keys request during rehashing of slot")
        var pauses: [UInt64] = []
        var now: UInt64 = 0
        while case .retry(let target, let delay) = command.next(after: .reply(reply, from: a), now: now).action {
            #expect(target == .slotOwner)
            pauses.append(delay / Self.millisecond)
            now += delay
        }
        #expect(pauses == [5, 10, 20])
        var loading = attempt()
        let pause = loading.next(after: .reply(.error("LOADING x"), from: a), now: 0)
        #expect(pause.action == .retry(.slotOwner, delay: 5 * Self.millisecond))
    }

    @Test("the pause never exceeds the maximum")
    func pauseCap() {
        let pacing = RetryPacing(deadline: .max, initial: 5 * Self.millisecond, maximum: 40 * Self.millisecond)
        #expect((1...8).map { pacing.pause(forRetry: $0) / Self.millisecond } == [5, 10, 20, 40, 40, 40, 40, 40])
        #expect(pacing.pause(forRetry: 200) == 40 * Self.millisecond)
    }

    @Test("CLUSTERDOWN pauses and asks for a refresh; past the deadline the reply is the answer")
    func clusterDown() {
        var command = attempt(deadline: 10 * Self.millisecond)
        let reply = RedisReply.error("CLUSTERDOWN The cluster is down")
        let first = command.next(after: .reply(reply, from: a), now: 0)
        #expect(first.action == .retry(.slotOwner, delay: 5 * Self.millisecond))
        #expect(first.refreshMap)
        let last = command.next(after: .reply(reply, from: a), now: 5 * Self.millisecond)
        #expect(last.action == .finish(.success(reply)))
    }

    @Test("a connection that could not be opened retries after a refresh; a closed one or a timeout does not")
    func failures() {
        var command = attempt()
        let refused = RedisError(.connectionFailed, "refused")
        let decision = command.next(after: .failure(refused), now: 0)
        #expect(decision.action == .retry(.slotOwner, delay: 5 * Self.millisecond))
        #expect(decision.refreshMap)
        for code in [RedisError.Code.connectionClosed, .timeout] {
            var other = attempt()
            let error = RedisError(code, "gone")
            let decision = other.next(after: .failure(error), now: 0)
            #expect(decision.action == .finish(.failure(error)))
            #expect(decision.refreshMap)
        }
        var shutdown = attempt()
        let closed = RedisError(.poolShutdown, "shut down")
        let stopped = shutdown.next(after: .failure(closed), now: 0)
        #expect(stopped == .init(action: .finish(.failure(closed)), refreshMap: false))
    }
}
