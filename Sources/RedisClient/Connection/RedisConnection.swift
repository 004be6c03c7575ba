import AuthKitPlatform
import Synchronization

/// One socket to the server, pipelined: commands are appended to one buffer and written together, replies are
/// handed out in order to the commands waiting in ``CommandQueue``.
///
/// Connect, TLS, reading and failure handling run on the event-loop thread. The command queue, the unsent
/// plaintext and the socket descriptor are in ``shared`` so that a caller may write a command itself when the
/// connection is idle (``tryDirectWrite(_:deadline:completion:)``), which saves two thread hops at low concurrency.
/// Any transport, protocol or deadline failure closes the connection for good and fails every command still on
/// it, so a late reply can never reach another caller.
///
/// The protocol state (phase, setup, commands waiting for the socket, reply routing, deadlines, what each command
/// is told on close) is ``ConnectionStateMachine``, which does no I/O; this class moves bytes and runs the machine's
/// actions.
///
/// Every command is held to its own deadline wherever it waits: commands that arrive while the socket is still
/// connecting (or in its TLS handshake) wait beside it, unwritten, and each fails alone when its deadline passes
/// while the connection attempt goes on up to ``RedisConfiguration/connectTimeout``; once written, the earliest
/// deadline of any command on the socket, not only the oldest one's, is what closes it.
///
/// `@unchecked Sendable`: everything outside `shared` is touched only on the loop thread; callers on other
/// threads use only `tryDirectWrite`, which works under the `shared` lock.
final class RedisConnection: LoopHandler, @unchecked Sendable {
    /// State that callers and the loop thread both touch.
    private struct Shared {
        var fd: Int32 = -1
        var queue = CommandQueue()
        var plaintext: [UInt8] = []
        var plaintextSent = 0
        var closed = false
        var closeError: RedisError?
        /// Set once connect and setup are done on a plain (non-TLS) socket.
        var directWrites = false

        /// Whether a caller may write directly right now.
        var isIdle: Bool { directWrites && !closed && queue.isEmpty && plaintext.isEmpty }
    }

    /// What ``tryDirectWrite(_:deadline:completion:)`` did.
    enum DirectWrite {
        /// The connection was busy or not ready; nothing was queued.
        case declined
        /// Queued and fully written.
        case sent
        /// Queued; the loop must write the rest.
        case needsFlush
    }

    private let loop: EventLoop
    private let configuration: RedisConfiguration
    private let tlsContext: TLSContext?
    private let shared = Mutex(Shared())
    /// A lock-free copy of `shared.isIdle`, stored under the lock, so that callers only take the lock when a direct
    /// write is likely to succeed: under load the connection is busy and callers go straight to the loop.
    private let cachedIsIdle = Atomic<Bool>(false)
    private var machine: ConnectionStateMachine
    private var phase: ConnectionStateMachine.Phase { machine.phase }
    private var handlerID = 0
    private(set) var fileDescriptor: Int32 = -1
    private var tls: TLSSession?
    private var stream: ReplyStream?
    private var ciphertext: [UInt8] = []
    private var ciphertextSent = 0
    private var isDirty = false
    private var replies: [Result<RedisReply, RedisError>] = []

    /// Called once when the connection closes, with the reason.
    var onClose: ((RedisError) -> Void)?
    /// Called once when connect, TLS and AUTH/SELECT/SETNAME have all succeeded.
    var onEstablished: (() -> Void)?
    /// Receives replies that no command waits for: pub/sub messages on a subscriber connection.
    var pushHandler: ((RedisReply) -> Void)?
    /// On a subscriber connection: tells pub/sub messages (which no command waits for) from command replies.
    var isPush: ((RedisReply) -> Bool)?
    /// Whether callers may write to this connection directly once it is established (plain sockets only).
    var allowsDirectWrites = false

    init(loop: EventLoop, configuration: RedisConfiguration, tlsContext: TLSContext?) {
        self.loop = loop
        self.configuration = configuration
        self.tlsContext = tlsContext
        let usesTLS: Bool
        if case .tcp = configuration.endpoint, tlsContext != nil {
            usesTLS = true
        } else {
            usesTLS = false
        }
        self.machine = ConnectionStateMachine(usesTLS: usesTLS, server: "\(configuration)")
    }

    deinit {
        shared.withLock { shared in
            if shared.fd >= 0 {
                Platform.close(shared.fd)
                shared.fd = -1
            }
        }
    }

    /// Commands waiting for the socket, queued or awaiting replies.
    var pendingCount: Int { shared.withLock { $0.queue.count } + machine.waitingCount }
    /// Whether connect and setup have finished.
    var isEstablished: Bool { machine.isEstablished }
    var isClosed: Bool { phase == .closed }

    var awaitedReplies: Int { phase == .ready ? pendingCount : 0 }

    var wantsWrite: Bool {
        switch phase {
        case .connecting: true
        case .tlsHandshake: ciphertextSent < ciphertext.count
        case .ready: ciphertextSent < ciphertext.count || shared.withLock { $0.plaintextSent < $0.plaintext.count }
        case .idle, .closed: false
        }
    }

    /// Opens the socket and queues AUTH, SELECT and CLIENT SETNAME ahead of any command.
    func start() {
        guard phase == .idle else { return }
        let connectDeadline = Monotonic.deadline(after: configuration.connectTimeout)
        loop.expectDeadline(connectDeadline)
        do {
            stream = try ReplyStream(
                maxReplyBytes: configuration.maxReplyBytes,
                maxReplyElements: configuration.maxReplyElements
            )
            if case .tcp(let host, _) = configuration.endpoint, let tlsContext {
                tls = try TLSSession(context: tlsContext, host: configuration.tls?.serverName ?? host)
            }
            let (fd, done) = try PosixSocket.connect(to: configuration.endpoint)
            fileDescriptor = fd
            shared.withLock { $0.fd = fd }
            let setup = ConnectionStateMachine.SetupStep.steps(for: configuration)
            machine.connecting(deadline: connectDeadline, setup: setup)
            handlerID = loop.register(self)
            try queueSetupCommands(setup, deadline: connectDeadline)
            if done {
                connected()
            }
        } catch {
            fail(error)
        }
    }

    /// Queues one encoded command (loop thread); `completion` gets its reply or failure exactly once.
    func enqueue(
        _ command: [UInt8],
        deadline: UInt64,
        completion: @escaping @Sendable (Result<RedisReply, RedisError>) -> Void
    ) {
        enqueue(command, commands: CollectionOfOne(PendingCommand(deadline: deadline, completion: completion)))
    }

    /// Queues the encoded bytes of one or more commands and their waiting ``PendingCommand``s, in order and under
    /// one lock, so they are written together and nothing else lands between them (loop thread). Before the socket
    /// is ready they wait beside it, unwritten.
    func enqueue(_ bytes: [UInt8], commands: some Collection<PendingCommand>) {
        if let deadline = commands.lazy.map(\.deadline).min() {
            loop.expectDeadline(deadline)
        }
        switch machine.enqueue(ConnectionStateMachine.Batch(bytes: bytes, commands: Array(commands))) {
        case .held:
            break
        case .write:
            queueForWriting(bytes, commands: commands)
        }
    }

    /// Appends commands to the queue and their bytes to the unsent plaintext, under one lock (loop thread).
    private func queueForWriting(_ bytes: [UInt8], commands: some Collection<PendingCommand>) {
        let closedError = shared.withLock { shared -> RedisError? in
            if shared.closed {
                return shared.closeError ?? RedisError(.connectionClosed, "the connection is closed")
            }
            shared.plaintext.append(contentsOf: bytes)
            for command in commands {
                shared.queue.append(command)
            }
            cachedIsIdle.store(false, ordering: .relaxed)
            return nil
        }
        if let closedError {
            for command in commands {
                command.completion(.failure(closedError))
            }
            return
        }
        requestFlush()
    }

    /// Called from any thread: queues and writes the command at once if the connection is established, plain and
    /// idle (nothing queued, nothing unsent). The send is non-blocking.
    func tryDirectWrite(
        _ command: [UInt8],
        deadline: UInt64,
        completion: @escaping @Sendable (Result<RedisReply, RedisError>) -> Void
    ) -> DirectWrite {
        tryDirectWrite(command, commands: CollectionOfOne(PendingCommand(deadline: deadline, completion: completion)))
    }

    /// Called from any thread: like ``tryDirectWrite(_:deadline:completion:)`` for the encoded bytes of several
    /// commands, written with one `send` and queued in order.
    func tryDirectWrite(_ bytes: [UInt8], commands: some Collection<PendingCommand>) -> DirectWrite {
        guard cachedIsIdle.load(ordering: .relaxed) else { return .declined }
        return shared.withLock { shared -> DirectWrite in
            guard shared.isIdle else {
                return .declined
            }
            for command in commands {
                shared.queue.append(command)
            }
            cachedIsIdle.store(false, ordering: .relaxed)
            let written = bytes.withUnsafeBytes { Platform.send(shared.fd, $0, dontWait: true) }
            if written == bytes.count {
                return .sent
            }
            // Partial write or error: the loop writes the rest, or meets the error and fails the connection.
            shared.plaintext = Array(bytes[max(written, 0)...])
            shared.plaintextSent = 0
            return .needsFlush
        }
    }

    /// Schedules a flush at the end of this loop iteration (loop thread).
    func requestFlush() {
        if !isDirty && phase == .ready {
            isDirty = true
            loop.markDirty(self)
        }
    }

    /// Closes the connection and fails whatever is still waiting with `error`.
    func close(_ error: RedisError) {
        fail(error)
    }

    // MARK: LoopHandler

    func handle(events: Platform.PollEvents) {
        if events.contains(.invalid) {
            fail(RedisError(.connectionClosed, "the socket was closed unexpectedly"))
            return
        }
        if phase == .connecting {
            if !events.isDisjoint(with: [.writable, .error, .hangUp]) {
                if let error = PosixSocket.pendingError(fileDescriptor) {
                    fail(error)
                    return
                }
                connected()
            }
            return
        }
        if !events.isDisjoint(with: [.readable, .error, .hangUp]) {
            readAvailable()
        }
        if phase != .closed && events.contains(.writable) {
            flush()
        }
    }

    func flush() {
        isDirty = false
        do throws(RedisError) {
            switch phase {
            case .ready:
                if let tls {
                    let plaintext = shared.withLock { shared -> [UInt8] in
                        let pending = Array(shared.plaintext[shared.plaintextSent...])
                        shared.plaintext.removeAll(keepingCapacity: true)
                        shared.plaintextSent = 0
                        return pending
                    }
                    if !plaintext.isEmpty {
                        try plaintext.withUnsafeBytes { buffer in
                            Result { () throws(RedisError) in try tls.write(buffer) }
                        }.get()
                    }
                    tls.drainCiphertext(into: &ciphertext)
                    try Self.send(fileDescriptor, &ciphertext, sent: &ciphertextSent)
                } else {
                    try flushPlaintext()
                }
            case .tlsHandshake:
                try Self.send(fileDescriptor, &ciphertext, sent: &ciphertextSent)
            case .idle, .connecting, .closed:
                break
            }
        } catch {
            fail(error)
        }
    }

    /// Sends queued plaintext without holding the lock during the system call. Safe because only the loop thread
    /// appends to or closes `shared` here, and callers never write directly while commands are queued.
    private func flushPlaintext() throws(RedisError) {
        var (buffer, sent) = shared.withLock { shared -> ([UInt8], Int) in
            let taken = (shared.plaintext, shared.plaintextSent)
            shared.plaintext = []
            shared.plaintextSent = 0
            return taken
        }
        guard sent < buffer.count else { return }
        defer {
            shared.withLock { shared in
                if sent < buffer.count {
                    shared.plaintext = buffer
                    shared.plaintextSent = sent
                } else {
                    buffer.removeAll(keepingCapacity: true)
                    shared.plaintext = buffer
                    shared.plaintextSent = 0
                }
                cachedIsIdle.store(shared.isIdle, ordering: .relaxed)
            }
        }
        try Self.send(fileDescriptor, &buffer, sent: &sent)
    }

    func checkDeadlines(now: UInt64) -> UInt64? {
        let expiry = machine.expire(now: now)
        if let error = expiry.close {
            fail(error)
            return nil
        }
        if !expiry.overdue.isEmpty {
            let error = machine.overdueError
            for command in expiry.overdue {
                command.completion(.failure(error))
            }
        }
        guard phase != .closed && phase != .idle else { return nil }
        var next = expiry.next
        let earliest = shared.withLock { $0.queue.nextDeadline(now: now) }
        if let error = machine.writtenCommandsExpired(earliest: earliest, now: now) {
            fail(error)
            return nil
        }
        if let earliest {
            next = min(next, earliest)
        }
        return next == .max ? nil : next
    }

    /// Queues the commands that waited for the socket behind the setup commands, in arrival order, and finishes
    /// what becoming ready means (loop thread).
    private func becameReady(_ ready: ConnectionStateMachine.Ready) {
        for batch in ready.release {
            queueForWriting(batch.bytes, commands: batch.commands)
        }
        if ready.established {
            established()
        }
    }

    // MARK: Internals

    private func queueSetupCommands(
        _ steps: [ConnectionStateMachine.SetupStep],
        deadline: UInt64
    ) throws(RedisError) {
        for step in steps {
            let setup = PendingCommand(deadline: deadline) { [weak self] result in
                self?.setupReplied(result)
            }
            queueForWriting(try CommandEncoder.encode(step.arguments), commands: CollectionOfOne(setup))
        }
    }

    private func setupReplied(_ result: Result<RedisReply, RedisError>) {
        switch machine.setupReplied(result) {
        case .waiting:
            break
        case .established:
            established()
        case .close(let error):
            fail(error)
        }
    }

    private func established() {
        if allowsDirectWrites && tls == nil {
            shared.withLock { shared in
                shared.directWrites = !shared.closed
                cachedIsIdle.store(shared.isIdle, ordering: .relaxed)
            }
        }
        onEstablished?()
        onEstablished = nil
    }

    private func connected() {
        if let ready = machine.socketConnected() {
            becameReady(ready)
            flush()
        } else if let tls {
            advanceHandshake(tls)
        }
    }

    private func advanceHandshake(_ tls: TLSSession) {
        do {
            let done = try tls.handshake()
            tls.drainCiphertext(into: &ciphertext)
            if done, let ready = machine.tlsHandshakeFinished() {
                becameReady(ready)
            }
            flush()
        } catch {
            fail(error)
        }
    }

    private static func send(_ fd: Int32, _ buffer: inout [UInt8], sent: inout Int) throws(RedisError) {
        while sent < buffer.count {
            let offset = sent
            let written = try buffer.withUnsafeBytes { bytes in
                Result { () throws(RedisError) in
                    try PosixSocket.send(fd, UnsafeRawBufferPointer(rebasing: bytes[offset...]))
                }
            }.get()
            if written == 0 {
                break
            }
            sent += written
        }
        if sent == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            sent = 0
        } else if sent >= 1 << 20 {
            buffer.removeFirst(sent)
            sent = 0
        }
    }

    private func readAvailable() {
        let buffer = loop.readBuffer
        do {
            // A bounded number of reads per wake-up keeps one busy connection from starving the others.
            for _ in 0..<16 {
                switch try PosixSocket.receive(fileDescriptor, into: buffer) {
                case .bytes(let count):
                    try received(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
                    if phase == .closed || count < buffer.count {
                        return
                    }
                case .wouldBlock:
                    return
                case .closed:
                    fail(RedisError(.connectionClosed, "the server closed the connection"))
                    return
                }
            }
        } catch {
            fail(error)
        }
    }

    private func received(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        guard let tls else {
            try process(bytes)
            return
        }
        try tls.receive(bytes)
        if phase == .tlsHandshake {
            advanceHandshake(tls)
        }
        while phase == .ready {
            let count = try tls.read(into: loop.plaintextBuffer)
            if count == 0 { break }
            try process(UnsafeRawBufferPointer(rebasing: loop.plaintextBuffer[..<count]))
        }
        if phase != .closed {
            tls.drainCiphertext(into: &ciphertext)
            if ciphertextSent < ciphertext.count && !isDirty {
                isDirty = true
                loop.markDirty(self)
            }
        }
    }

    private func process(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        guard let stream else { return }
        replies.removeAll(keepingCapacity: true)
        try stream.receive(bytes, into: &replies)
        guard !replies.isEmpty else { return }
        if let isPush {
            try processSubscriberReplies(isPush)
            return
        }
        // One lock for the whole batch of replies.
        let commands = shared.withLock { shared -> [PendingCommand] in
            var commands: [PendingCommand] = []
            commands.reserveCapacity(min(replies.count, shared.queue.count))
            while commands.count < replies.count, let command = shared.queue.popFirst() {
                commands.append(command)
            }
            cachedIsIdle.store(shared.isIdle, ordering: .relaxed)
            return commands
        }
        for (index, reply) in replies.enumerated() {
            switch machine.route(reply, at: index, taken: commands, acceptsPushes: pushHandler != nil) {
            case .complete(let command, let result):
                command.completion(result)
            case .fail(let command, let error):
                command.completion(.failure(error))
            case .push(let push):
                pushHandler?(push)
            case .discard:
                break
            case .unexpected:
                throw RedisError(.protocol, "the server sent a reply that no command was waiting for")
            }
        }
    }

    /// Subscriber connections interleave messages with replies: messages go to the push handler, anything else
    /// answers the oldest waiting command (a health-check PING or the SUBSCRIBE itself).
    private func processSubscriberReplies(_ isPush: (RedisReply) -> Bool) throws(RedisError) {
        for received in replies {
            if phase == .closed { return }
            // Which command a skipped reply answered, if any, cannot be told from a message: close.
            let reply = try received.get()
            if !isPush(reply),
                let command = shared.withLock({ shared -> PendingCommand? in
                    let command = shared.queue.popFirst()
                    cachedIsIdle.store(shared.isIdle, ordering: .relaxed)
                    return command
                })
            {
                command.completion(.success(reply))
            } else if let pushHandler {
                pushHandler(reply)
            }
        }
    }

    private func fail(_ error: RedisError) {
        guard phase != .closed else { return }
        if handlerID != 0 {
            loop.unregister(handlerID)
        }
        // The descriptor is closed under the lock, so a caller's direct write can never reach a reused descriptor.
        let waiting = shared.withLock { shared -> [PendingCommand] in
            shared.closed = true
            shared.closeError = error
            shared.directWrites = false
            cachedIsIdle.store(false, ordering: .relaxed)
            if shared.fd >= 0 {
                Platform.close(shared.fd)
                shared.fd = -1
            }
            shared.plaintext = []
            shared.plaintextSent = 0
            return shared.queue.removeAll()
        }
        let failures = machine.close(error, inFlight: waiting, now: Monotonic.now()) ?? []
        fileDescriptor = -1
        tls = nil
        stream = nil
        ciphertext = []
        // A timeout names the command(s) whose deadline passed, wherever they were in the queue.
        for (command, error) in failures {
            command.completion(.failure(error))
        }
        onEstablished = nil
        let onClose = self.onClose
        self.onClose = nil
        pushHandler = nil
        onClose?(error)
    }
}
