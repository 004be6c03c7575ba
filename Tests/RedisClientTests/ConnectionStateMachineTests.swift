import Testing

@testable import RedisClient

/// The connection's protocol state, driven by made-up events and times: no socket, no thread, no sleep.
@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    private typealias Machine = ConnectionStateMachine

    /// A command told apart by its deadline; its completion is never called here (the machine only returns it).
    private static func command(_ deadline: UInt64) -> PendingCommand {
        PendingCommand(deadline: deadline) { _ in }
    }

    private static func batch(_ deadlines: UInt64...) -> Machine.Batch {
        Machine.Batch(bytes: Array("*1\r\n$4\r\nPING\r\n".utf8), commands: deadlines.map(command))
    }

    /// A machine connecting with `setup`, the connect deadline at 1000.
    private static func connecting(_ setup: [Machine.SetupStep], tls: Bool = false) -> Machine {
        var machine = Machine(usesTLS: tls, server: "redis://db:6379")
        machine.connecting(deadline: 1000, setup: setup)
        return machine
    }

    private static let ok = Result<RedisReply, RedisError>.success(.status("OK"))

    @Test("the setup follows the configuration: AUTH, SELECT, CLIENT SETNAME, then ROLE when a primary is required")
    func setupSteps() throws {
        var configuration = try RedisConfiguration(url: "redis://alice:s3cret@db:6380/3?name=api")
        configuration.requiresPrimaryRole = true
        let steps = Machine.SetupStep.steps(for: configuration)
        #expect(
            steps == [.auth(username: "alice", password: "s3cret"), .select(database: 3), .setName("api"), .role]
        )
        #expect(steps.map(\.name) == ["AUTH", "SELECT", "CLIENT SETNAME", "ROLE"])
        #expect(steps[0].arguments == ["AUTH", "alice", "s3cret"])
        #expect(Machine.SetupStep.auth(username: nil, password: "pw").arguments == ["AUTH", "pw"])
        #expect(steps[2].arguments == ["CLIENT", "SETNAME", "api"])
        #expect(Machine.SetupStep.steps(for: try RedisConfiguration(url: "redis://db")).isEmpty)
    }

    @Test("commands that arrive before the socket is ready wait, then go out in arrival order behind the setup")
    func commandsWaitForTheSocket() {
        var machine = Self.connecting([.auth(username: nil, password: "pw")])
        #expect(machine.phase == .connecting)
        guard case .held = machine.enqueue(Self.batch(10, 11)), case .held = machine.enqueue(Self.batch(12)) else {
            Issue.record("a command was written before the socket was ready")
            return
        }
        #expect(machine.waitingCount == 3)
        let ready = machine.socketConnected()
        #expect(ready?.release.map { $0.commands.map(\.deadline) } == [[10, 11], [12]])
        #expect(ready?.established == false)
        #expect(machine.phase == .ready && machine.waitingCount == 0 && !machine.isEstablished)
        #expect(machine.connectDeadline == 1000)
        #expect(machine.setupReplied(Self.ok) == .established)
        #expect(machine.isEstablished && machine.connectDeadline == .max)
        guard case .write = machine.enqueue(Self.batch(13)) else {
            Issue.record("a command on a ready connection was held")
            return
        }
    }

    @Test("without setup the connection is established as soon as the socket is ready")
    func noSetup() {
        var machine = Self.connecting([])
        #expect(machine.socketConnected()?.established == true)
        #expect(machine.isEstablished && machine.connectDeadline == .max)
    }

    @Test("with TLS the handshake comes between the connect and the first write")
    func tlsHandshake() {
        var machine = Self.connecting([], tls: true)
        #expect(machine.socketConnected() == nil)
        #expect(machine.phase == .tlsHandshake)
        guard case .held = machine.enqueue(Self.batch(10)) else {
            Issue.record("a command was written during the TLS handshake")
            return
        }
        let ready = machine.tlsHandshakeFinished()
        #expect(ready?.release.count == 1 && ready?.established == true)
        #expect(machine.tlsHandshakeFinished() == nil)
        #expect(machine.phase == .ready)
    }

    @Test("an error reply to AUTH closes with an authentication error that names the step and not the password")
    func authenticationFails() {
        var machine = Self.connecting([.auth(username: "alice", password: "s3cret"), .select(database: 2)])
        _ = machine.socketConnected()
        let outcome = machine.setupReplied(.success(.error("WRONGPASS invalid username-password pair")))
        guard case .close(let error) = outcome else {
            Issue.record("a failed AUTH did not close: \(outcome)")
            return
        }
        #expect(error.code == .authentication)
        #expect(error.message.hasPrefix("AUTH failed: WRONGPASS"))
        #expect(!error.message.contains("s3cret"))
    }

    @Test("ROLE must say master: a replica closes the connection, a primary completes the setup")
    func roleMustBePrimary() {
        var replica = Self.connecting([.select(database: 1), .role])
        _ = replica.socketConnected()
        #expect(replica.setupReplied(Self.ok) == .waiting)
        let outcome = replica.setupReplied(.success(.array([.bulk(Array("slave".utf8)), .bulk(Array("db".utf8))])))
        guard case .close(let error) = outcome else {
            Issue.record("a replica's ROLE did not close: \(outcome)")
            return
        }
        #expect(error.code == .connectionFailed && error.message.contains("is not a primary"))

        var primary = Self.connecting([.role])
        _ = primary.socketConnected()
        #expect(primary.setupReplied(.success(.array([.bulk(Array("master".utf8)), .integer(0)]))) == .established)
    }

    @Test("a setup reply above the caps closes the connection with the guard's error")
    func oversizedSetupReply() {
        var machine = Self.connecting([.auth(username: nil, password: "pw")])
        _ = machine.socketConnected()
        let tooLarge = RedisError(.replyTooLarge, "the reply is above maxReplyBytes")
        #expect(machine.setupReplied(.failure(tooLarge)) == .close(tooLarge))
    }

    @Test("replies go to the commands taken for them in order; a reply above the caps fails only its own command")
    func repliesAreMatchedInOrder() {
        var machine = Self.connecting([])
        _ = machine.socketConnected()
        let taken = [Self.command(1), Self.command(2), Self.command(3)]
        let tooLarge = RedisError(.replyTooLarge, "skipped")
        let replies: [Result<RedisReply, RedisError>] = [.success(.integer(1)), .failure(tooLarge), Self.ok]
        var answered: [(UInt64, Result<RedisReply, RedisError>)] = []
        for (index, reply) in replies.enumerated() {
            guard
                case .complete(let command, let result) = machine.route(
                    reply,
                    at: index,
                    taken: taken,
                    acceptsPushes: false
                )
            else {
                Issue.record("reply \(index) was not routed to its command")
                return
            }
            answered.append((command.deadline, result))
        }
        #expect(answered.map(\.0) == [1, 2, 3])
        #expect(answered[1].1 == .failure(tooLarge))
        #expect(answered[2].1 == Self.ok)
    }

    @Test("a reply no command waits for is a message on a subscriber connection and a protocol error elsewhere")
    func unexpectedReplies() {
        var machine = Self.connecting([])
        _ = machine.socketConnected()
        let message = RedisReply.array([.bulk(Array("message".utf8))])
        guard case .push(let pushed) = machine.route(.success(message), at: 0, taken: [], acceptsPushes: true),
            case .unexpected = machine.route(.success(message), at: 0, taken: [], acceptsPushes: false),
            case .unexpected = machine.route(
                .failure(RedisError(.replyTooLarge, "x")),
                at: 0,
                taken: [],
                acceptsPushes: true
            )
        else {
            Issue.record("an unexpected reply was routed wrongly")
            return
        }
        #expect(pushed == message)
    }

    @Test("once a completion closed the connection, the commands already taken are failed with the close error")
    func closedWhileReplying() {
        var machine = Self.connecting([.auth(username: nil, password: "pw")])
        _ = machine.socketConnected()
        let closing = RedisError(.authentication, "AUTH failed: WRONGPASS")
        #expect(machine.close(closing, inFlight: [], now: 0)?.isEmpty == true)
        let taken = [Self.command(1), Self.command(2)]
        guard case .fail(let command, let error) = machine.route(Self.ok, at: 1, taken: taken, acceptsPushes: true),
            case .discard = machine.route(Self.ok, at: 2, taken: taken, acceptsPushes: true)
        else {
            Issue.record("a reply after the close was routed to a caller")
            return
        }
        #expect(command.deadline == 2 && error == closing)
        #expect(machine.setupReplied(Self.ok) == .waiting)
    }

    @Test("the connect deadline closes the connection when connect or setup is not done by then")
    func connectDeadline() {
        var machine = Self.connecting([.auth(username: nil, password: "pw")])
        let early = machine.expire(now: 999)
        #expect(early.close == nil && early.next == 1000)
        _ = machine.socketConnected()
        let late = machine.expire(now: 1000)
        #expect(late.close?.code == .connectionFailed)
        #expect(late.close?.message == "connecting to redis://db:6379 timed out")

        var established = Self.connecting([])
        _ = established.socketConnected()
        let after = established.expire(now: 5000)
        #expect(after.close == nil && after.next == .max)
    }

    @Test("a command that waits for the socket past its deadline fails alone; the connection attempt goes on")
    func overdueWhileConnecting() {
        var machine = Self.connecting([])
        _ = machine.enqueue(Self.batch(100, 900))
        _ = machine.enqueue(Self.batch(500))
        let first = machine.expire(now: 99)
        #expect(first.overdue.isEmpty && first.next == 100)
        let second = machine.expire(now: 100)
        // A pipeline's commands share the batch's deadline: both fail together.
        #expect(second.overdue.map(\.deadline) == [100, 900])
        #expect(second.close == nil && second.next == 500)
        #expect(machine.waitingCount == 1 && machine.phase == .connecting)
        #expect(machine.overdueError.code == .timeout)
        #expect(machine.socketConnected()?.release.map { $0.commands.map(\.deadline) } == [[500]])
    }

    @Test("the earliest deadline of a written command closes the connection once it has passed")
    func writtenCommandDeadline() {
        let machine = Self.connecting([])
        #expect(machine.writtenCommandsExpired(earliest: nil, now: 10_000) == nil)
        #expect(machine.writtenCommandsExpired(earliest: 300, now: 299) == nil)
        #expect(machine.writtenCommandsExpired(earliest: 300, now: 300)?.code == .timeout)
    }

    @Test("closing fails every command once: a timeout names the overdue ones, the others learn why it closed")
    func closingFailsEveryCommandOnce() {
        var machine = Self.connecting([])
        _ = machine.enqueue(Self.batch(900))
        let timeout = RedisError(.timeout, "no reply within the command timeout")
        let failures = machine.close(timeout, inFlight: [Self.command(100), Self.command(800)], now: 500)
        #expect(failures?.map(\.command.deadline) == [100, 800, 900])
        #expect(failures?.map(\.error.code) == [.timeout, .connectionClosed, .connectionClosed])
        #expect(failures?[0].error.message == timeout.message)
        #expect(machine.phase == .closed && machine.closeError == timeout && machine.waitingCount == 0)
        #expect(machine.close(timeout, inFlight: [Self.command(1)], now: 500) == nil)
        #expect(machine.expire(now: 10_000).close == nil)

        var other = Self.connecting([])
        let reset = RedisError(.connectionClosed, "the server closed the connection")
        let all = other.close(reset, inFlight: [Self.command(100), Self.command(800)], now: 500)
        #expect(all?.map(\.error) == [reset, reset])
    }

    @Test("once closed, a new command is handed back to be failed at once rather than held")
    func enqueueAfterClose() {
        var machine = Self.connecting([])
        _ = machine.close(RedisError(.connectionClosed, "gone"), inFlight: [], now: 0)
        guard case .write = machine.enqueue(Self.batch(10)) else {
            Issue.record("a command on a closed connection was held")
            return
        }
        #expect(machine.waitingCount == 0)
    }
}
