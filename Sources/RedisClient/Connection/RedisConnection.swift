#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One socket to the server, pipelined: commands are appended to one buffer and written together, replies are
/// handed out in order to the commands waiting in ``CommandQueue``.
///
/// The connection is confined to its event loop's thread. Any transport, protocol or deadline failure closes it
/// for good and fails every command still on it, so a late reply can never reach another caller.
final class RedisConnection: LoopHandler {
    private enum Phase {
        case idle
        case connecting
        case tlsHandshake
        case ready
        case closed
    }

    private let loop: EventLoop
    private let configuration: RedisConfiguration
    private let tlsContext: TLSContext?
    private var phase = Phase.idle
    private var handlerID = 0
    private(set) var fileDescriptor: Int32 = -1
    private var tls: TLSSession?
    private var reader: ReplyReader?
    private var sizeGuard: ReplySizeGuard
    private var queue = CommandQueue()
    private var plaintext: [UInt8] = []
    private var plaintextSent = 0
    private var ciphertext: [UInt8] = []
    private var ciphertextSent = 0
    private var isDirty = false
    private var connectDeadline: UInt64 = .max
    private var setupRepliesLeft = 0

    /// Called once when the connection closes, with the reason.
    var onClose: ((RedisError) -> Void)?
    /// Called once when connect, TLS and AUTH/SELECT/SETNAME have all succeeded.
    var onEstablished: (() -> Void)?
    /// Receives replies that no command waits for: pub/sub messages on a subscriber connection.
    var pushHandler: ((RedisReply) -> Void)?

    init(loop: EventLoop, configuration: RedisConfiguration, tlsContext: TLSContext?) {
        self.loop = loop
        self.configuration = configuration
        self.tlsContext = tlsContext
        self.sizeGuard = ReplySizeGuard(
            maxBulkLength: configuration.maxBulkLength,
            maxElements: configuration.maxArrayElements
        )
    }

    deinit {
        if fileDescriptor >= 0 {
            Glibc.close(fileDescriptor)
        }
    }

    /// Commands queued or awaiting replies.
    var pendingCount: Int { queue.count }
    /// Whether connect and setup have finished.
    var isEstablished: Bool { phase == .ready && setupRepliesLeft == 0 }
    var isClosed: Bool { phase == .closed }

    var wantsWrite: Bool {
        switch phase {
        case .connecting: true
        case .tlsHandshake: ciphertextSent < ciphertext.count
        case .ready: plaintextSent < plaintext.count || ciphertextSent < ciphertext.count
        case .idle, .closed: false
        }
    }

    /// Opens the socket and queues AUTH, SELECT and CLIENT SETNAME ahead of any command.
    func start() {
        guard phase == .idle else { return }
        connectDeadline = Monotonic.deadline(after: configuration.connectTimeout)
        do {
            reader = try ReplyReader()
            if case .tcp(let host, _) = configuration.endpoint, let tlsContext {
                tls = try TLSSession(context: tlsContext, host: configuration.tls?.serverName ?? host)
            }
            let (fd, done) = try PosixSocket.connect(to: configuration.endpoint)
            fileDescriptor = fd
            phase = .connecting
            handlerID = loop.register(self)
            try queueSetupCommands()
            if done {
                connected()
            }
        } catch {
            fail(error)
        }
    }

    /// Queues one encoded command; `completion` gets its reply or failure exactly once.
    func enqueue(_ command: [UInt8], deadline: UInt64, completion: @escaping (Result<RedisReply, RedisError>) -> Void) {
        guard phase != .closed else {
            completion(.failure(RedisError(.connectionClosed, "the connection is closed")))
            return
        }
        plaintext.append(contentsOf: command)
        queue.append(PendingCommand(deadline: deadline, completion: completion))
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

    func handle(events: Int16) {
        if events & Int16(POLLNVAL) != 0 {
            fail(RedisError(.connectionClosed, "the socket was closed unexpectedly"))
            return
        }
        if phase == .connecting {
            if events & (Int16(POLLOUT) | Int16(POLLERR) | Int16(POLLHUP)) != 0 {
                if let error = PosixSocket.pendingError(fileDescriptor) {
                    fail(error)
                    return
                }
                connected()
            }
            return
        }
        if events & (Int16(POLLIN) | Int16(POLLERR) | Int16(POLLHUP)) != 0 {
            readAvailable()
        }
        if phase != .closed && events & Int16(POLLOUT) != 0 {
            flush()
        }
    }

    func flush() {
        isDirty = false
        do throws(RedisError) {
            switch phase {
            case .ready:
                if let tls {
                    if plaintextSent < plaintext.count {
                        let sent = plaintextSent
                        try plaintext.withUnsafeBytes { buffer in
                            Result { () throws(RedisError) in
                                try tls.write(UnsafeRawBufferPointer(rebasing: buffer[sent...]))
                            }
                        }.get()
                        plaintext.removeAll(keepingCapacity: true)
                        plaintextSent = 0
                    }
                    tls.drainCiphertext(into: &ciphertext)
                    try send(&ciphertext, sent: &ciphertextSent)
                } else {
                    try send(&plaintext, sent: &plaintextSent)
                }
            case .tlsHandshake:
                try send(&ciphertext, sent: &ciphertextSent)
            case .idle, .connecting, .closed:
                break
            }
        } catch {
            fail(error)
        }
    }

    func checkDeadlines(now: UInt64) -> UInt64? {
        guard phase != .closed && phase != .idle else { return nil }
        var next = UInt64.max
        if !isEstablished {
            if now >= connectDeadline {
                fail(RedisError(.connectionFailed, "connecting to \(configuration) timed out"))
                return nil
            }
            next = connectDeadline
        }
        if let head = queue.first {
            if now >= head.deadline {
                fail(RedisError(.timeout, "no reply within the command timeout"))
                return nil
            }
            next = min(next, head.deadline)
        }
        return next == .max ? nil : next
    }

    // MARK: Internals

    private func queueSetupCommands() throws(RedisError) {
        var commands: [[RedisArgument]] = []
        if let password = configuration.password {
            if let username = configuration.username {
                commands.append(["AUTH", RedisArgument(username), RedisArgument(password)])
            } else {
                commands.append(["AUTH", RedisArgument(password)])
            }
        }
        if configuration.database != 0 {
            commands.append(["SELECT", RedisArgument(configuration.database)])
        }
        if let name = configuration.clientName {
            commands.append(["CLIENT", "SETNAME", RedisArgument(name)])
        }
        setupRepliesLeft = commands.count
        for command in commands {
            let name =
                command.count > 1 && command[0].uppercasedName == "CLIENT"
                ? "CLIENT SETNAME"
                : command[0]
                    .uppercasedName
            enqueue(try CommandEncoder.encode(command), deadline: connectDeadline) { [weak self] result in
                self?.setupReplied(name, result)
            }
        }
    }

    private func setupReplied(_ name: String, _ result: Result<RedisReply, RedisError>) {
        switch result {
        case .success(.error(let message)):
            // The server's message names the failure (WRONGPASS, NOPERM…) and never echoes the password.
            fail(RedisError(.authentication, "\(name) failed: \(message)"))
        case .success:
            setupRepliesLeft -= 1
            if setupRepliesLeft == 0 {
                established()
            }
        case .failure:
            break
        }
    }

    private func established() {
        connectDeadline = .max
        onEstablished?()
        onEstablished = nil
    }

    private func connected() {
        if let tls {
            phase = .tlsHandshake
            advanceHandshake(tls)
        } else {
            phase = .ready
            if setupRepliesLeft == 0 {
                established()
            }
            flush()
        }
    }

    private func advanceHandshake(_ tls: TLSSession) {
        do {
            let done = try tls.handshake()
            tls.drainCiphertext(into: &ciphertext)
            if done {
                phase = .ready
                if setupRepliesLeft == 0 {
                    established()
                }
            }
            flush()
        } catch {
            fail(error)
        }
    }

    private func send(_ buffer: inout [UInt8], sent: inout Int) throws(RedisError) {
        while sent < buffer.count {
            let offset = sent
            let written = try buffer.withUnsafeBytes { bytes in
                Result { () throws(RedisError) in
                    try PosixSocket.send(fileDescriptor, UnsafeRawBufferPointer(rebasing: bytes[offset...]))
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
        guard let reader else { return }
        try sizeGuard.scan(bytes)
        try reader.feed(bytes)
        while phase != .closed, let reply = try reader.next() {
            if let command = queue.popFirst() {
                command.completion(.success(reply))
            } else if let pushHandler {
                pushHandler(reply)
            } else {
                throw RedisError(.protocol, "the server sent a reply that no command was waiting for")
            }
        }
    }

    private func fail(_ error: RedisError) {
        guard phase != .closed else { return }
        let wasIdle = phase == .idle
        phase = .closed
        if !wasIdle || handlerID != 0 {
            loop.unregister(handlerID)
        }
        if fileDescriptor >= 0 {
            Glibc.close(fileDescriptor)
            fileDescriptor = -1
        }
        tls = nil
        reader = nil
        plaintext = []
        ciphertext = []
        let now = Monotonic.now()
        let waiting = queue.removeAll()
        for (index, command) in waiting.enumerated() {
            if index == 0 || error.code != .timeout {
                command.completion(.failure(error))
            } else if command.deadline <= now {
                command.completion(.failure(RedisError(.timeout, error.message)))
            } else {
                command.completion(
                    .failure(
                        RedisError(.connectionClosed, "closed because an earlier command on the connection timed out")
                    )
                )
            }
        }
        onEstablished = nil
        let onClose = self.onClose
        self.onClose = nil
        pushHandler = nil
        onClose?(error)
    }
}
