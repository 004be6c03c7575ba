/// The protocol state of one connection, with no I/O: where the connection is (connecting, TLS handshake, ready,
/// closed), which setup commands (AUTH, SELECT, CLIENT SETNAME, ROLE) it still waits for, the commands that arrived
/// before the socket was ready, which reply answers which command, which deadlines have passed, and what every
/// waiting command is told when the connection closes.
///
/// ``RedisConnection`` drives it: it reports events (the socket connected, the TLS handshake finished, a setup
/// reply came, replies were parsed, the clock moved, a failure happened) and carries out the actions returned (write
/// these commands, complete this command with this result, close with this error). The in-flight commands live in
/// the connection's ``CommandQueue``, behind the lock callers' direct writes take; the machine is handed what it
/// needs of it. Everything here is deterministic: the unit tests drive it with made-up events and times.
struct ConnectionStateMachine {
    /// Where the connection is.
    enum Phase: Equatable {
        case idle
        case connecting
        case tlsHandshake
        case ready
        case closed
    }

    /// One of the commands a connection sends before any caller's, in this order.
    enum SetupStep: Equatable {
        case auth(username: String?, password: String)
        case select(database: Int)
        case setName(String)
        case role

        /// The command's name in error messages.
        var name: String {
            switch self {
            case .auth: "AUTH"
            case .select: "SELECT"
            case .setName: "CLIENT SETNAME"
            case .role: "ROLE"
            }
        }

        /// The command's arguments.
        var arguments: [RedisArgument] {
            switch self {
            case .auth(let username?, let password): ["AUTH", RedisArgument(username), RedisArgument(password)]
            case .auth(nil, let password): ["AUTH", RedisArgument(password)]
            case .select(let database): ["SELECT", RedisArgument(database)]
            case .setName(let name): ["CLIENT", "SETNAME", RedisArgument(name)]
            case .role: ["ROLE"]
            }
        }

        /// The setup `configuration` asks for, in the order it is sent.
        static func steps(for configuration: RedisConfiguration) -> [SetupStep] {
            var steps: [SetupStep] = []
            if let password = configuration.password {
                steps.append(.auth(username: configuration.username, password: password))
            }
            if configuration.database != 0 {
                steps.append(.select(database: configuration.database))
            }
            if let name = configuration.clientName {
                steps.append(.setName(name))
            }
            if configuration.requiresPrimaryRole {
                steps.append(.role)
            }
            return steps
        }
    }

    /// The encoded bytes of one or more commands queued together (a pipeline's commands share one deadline).
    struct Batch {
        var bytes: [UInt8]
        var commands: [PendingCommand]
    }

    /// What to do once the socket (and TLS) is ready.
    struct Ready {
        /// The batches that waited for the socket, in arrival order: queue them for writing behind the setup.
        var release: [Batch]
        /// Whether setup is complete too (nothing to set up): the connection is established.
        var established: Bool
    }

    /// What a setup reply means.
    enum SetupOutcome: Equatable {
        /// More setup replies to come.
        case waiting
        /// That was the last one: the connection is established.
        case established
        /// Setup failed: close with this error.
        case close(RedisError)
    }

    /// What to do with a command that is queued.
    enum EnqueueAction {
        /// The machine holds it until the socket is ready.
        case held
        /// Queue it for writing now (once closed, queueing it fails it at once).
        case write
    }

    /// What to do with one parsed reply.
    enum ReplyAction {
        /// Hand it to the command it answers.
        case complete(PendingCommand, Result<RedisReply, RedisError>)
        /// A message no command waits for (pub/sub): hand it to the push handler.
        case push(RedisReply)
        /// The connection closed while replies were handed out: fail the command with this error.
        case fail(PendingCommand, RedisError)
        /// The connection closed while replies were handed out and no command is left for this one: drop it.
        case discard
        /// No command waits for it and nothing takes messages: a protocol error, close.
        case unexpected
    }

    /// What the clock says about the connection and the commands that wait for the socket.
    struct Expiry {
        /// Close the connection with this error (the connect deadline passed).
        var close: RedisError?
        /// Fail each of these commands alone with ``overdueError``: they waited for the socket past their deadline.
        var overdue: [PendingCommand] = []
        /// When to look again, as far as the connect deadline and the waiting commands go.
        var next: UInt64 = .max
    }

    private(set) var phase = Phase.idle
    /// When connect, TLS and setup must be done by (`.max` once established).
    private(set) var connectDeadline = UInt64.max
    /// The setup commands whose replies have not come yet, oldest first.
    private(set) var setupLeft: [SetupStep] = []
    /// Why the connection closed, once it has.
    private(set) var closeError: RedisError?
    /// Commands that arrived before the socket was ready, none written yet.
    private var waiting: [Batch] = []
    /// How many commands ``waiting`` holds.
    private(set) var waitingCount = 0
    /// Whether a TLS handshake follows the TCP connect.
    let usesTLS: Bool
    /// The server, as error messages name it (never with the password).
    let server: String

    init(usesTLS: Bool, server: String) {
        self.usesTLS = usesTLS
        self.server = server
    }

    /// Whether connect and setup have finished.
    var isEstablished: Bool { phase == .ready && setupLeft.isEmpty }

    /// The error a command that waited for the socket past its deadline fails with.
    var overdueError: RedisError { RedisError(.timeout, "not connected to \(server) within the command timeout") }

    // MARK: Connecting

    /// The socket is being opened: connect, TLS and `setup` must finish by `deadline`.
    mutating func connecting(deadline: UInt64, setup: [SetupStep]) {
        guard phase == .idle else { return }
        phase = .connecting
        connectDeadline = deadline
        setupLeft = setup
    }

    /// The TCP or Unix connect finished. Returns `nil` when a TLS handshake comes next.
    mutating func socketConnected() -> Ready? {
        guard phase == .connecting else { return nil }
        if usesTLS {
            phase = .tlsHandshake
            return nil
        }
        return becomeReady()
    }

    /// The TLS handshake finished.
    mutating func tlsHandshakeFinished() -> Ready? {
        guard phase == .tlsHandshake else { return nil }
        return becomeReady()
    }

    private mutating func becomeReady() -> Ready {
        phase = .ready
        let release = waiting
        waiting = []
        waitingCount = 0
        let established = setupLeft.isEmpty
        if established {
            connectDeadline = .max
        }
        return Ready(release: release, established: established)
    }

    /// The reply to the oldest setup command still waiting came.
    mutating func setupReplied(_ result: Result<RedisReply, RedisError>) -> SetupOutcome {
        guard phase != .closed, let step = setupLeft.first else { return .waiting }
        switch result {
        case .success(.error(let message)):
            // The server's message names the failure (WRONGPASS, NOPERM…) and never echoes the password.
            return .close(RedisError(.authentication, "\(step.name) failed: \(message)"))
        case .success(let reply) where step == .role && reply.array?.first?.string != "master":
            // Replies are handed out in order, so the commands queued behind ROLE fail, unanswered.
            return .close(RedisError(.connectionFailed, "\(server) is not a primary: ROLE says \(reply)"))
        case .success:
            setupLeft.removeFirst()
            guard setupLeft.isEmpty else { return .waiting }
            if phase == .ready {
                connectDeadline = .max
            }
            return .established
        case .failure(let error):
            // Normally the connection failing (already closed); a setup reply above the caps closes it here.
            return .close(error)
        }
    }

    // MARK: Commands

    /// A caller's batch of commands arrived (on the loop thread). The batch is only built when it is held, so that
    /// a ready connection's hot path allocates nothing here.
    mutating func enqueue(_ batch: @autoclosure () -> Batch) -> EnqueueAction {
        switch phase {
        case .idle, .connecting, .tlsHandshake:
            let batch = batch()
            waiting.append(batch)
            waitingCount += batch.commands.count
            return .held
        case .ready, .closed:
            return .write
        }
    }

    /// Which command the reply at `index` of a parsed run answers, given the `taken` commands popped from the queue
    /// for that run (one per reply at most), and whether something takes pub/sub messages.
    func route(
        _ reply: Result<RedisReply, RedisError>,
        at index: Int,
        taken: [PendingCommand],
        acceptsPushes: Bool
    ) -> ReplyAction {
        if phase == .closed {
            // A completion (a failed AUTH) closed the connection: what was already taken still gets an answer.
            guard index < taken.count else { return .discard }
            return .fail(taken[index], closeError ?? RedisError(.connectionClosed, "the connection closed"))
        }
        if index < taken.count {
            // A reply above the caps fails its own command only: it was skipped, the connection is intact.
            return .complete(taken[index], reply)
        }
        if case .success(let push) = reply, acceptsPushes {
            return .push(push)
        }
        return .unexpected
    }

    // MARK: Deadlines

    /// What has expired at `now` of the connect deadline and of the commands waiting for the socket.
    mutating func expire(now: UInt64) -> Expiry {
        var expiry = Expiry()
        guard phase != .closed && phase != .idle else { return expiry }
        if !isEstablished {
            if now >= connectDeadline {
                expiry.close = RedisError(.connectionFailed, "connecting to \(server) timed out")
                return expiry
            }
            expiry.next = connectDeadline
        }
        // Each overdue waiting command fails alone: nothing of it was written, so the connection attempt goes on.
        waiting.removeAll { batch in
            let deadline = batch.commands.lazy.map(\.deadline).min() ?? .max
            if deadline <= now {
                expiry.overdue += batch.commands
                return true
            }
            expiry.next = min(expiry.next, deadline)
            return false
        }
        waitingCount -= expiry.overdue.count
        return expiry
    }

    /// Whether the earliest deadline of a written command, `earliest` (from ``CommandQueue/nextDeadline(now:)``),
    /// has passed at `now`: the connection closes, since a late reply must never reach another caller.
    func writtenCommandsExpired(earliest: UInt64?, now: UInt64) -> RedisError? {
        guard let earliest, now >= earliest else { return nil }
        return RedisError(.timeout, "no reply within the command timeout")
    }

    // MARK: Closing

    /// Closes the machine with `error` and says what each command still waiting is told: the written ones
    /// (`inFlight`, in order), then those that waited for the socket. `nil` when it was closed already, so that
    /// every command is failed once.
    ///
    /// A timeout names the command(s) whose deadline passed at `now`; the others learn that an earlier command
    /// on the connection timed out.
    mutating func close(
        _ error: RedisError,
        inFlight: [PendingCommand],
        now: UInt64
    ) -> [(command: PendingCommand, error: RedisError)]? {
        guard phase != .closed else { return nil }
        phase = .closed
        closeError = error
        let unsent = waiting.flatMap(\.commands)
        waiting = []
        waitingCount = 0
        return (inFlight + unsent).map { command in
            if error.code != .timeout {
                return (command, error)
            } else if command.deadline <= now {
                return (command, RedisError(.timeout, error.message))
            } else {
                return (
                    command,
                    RedisError(.connectionClosed, "closed because an earlier command on the connection timed out")
                )
            }
        }
    }
}
