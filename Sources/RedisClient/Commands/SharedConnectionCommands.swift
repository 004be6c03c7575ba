/// Recognises commands that change the state of the connection they run on.
///
/// The pool's connections are shared: every caller's command may follow any other's on the same socket. A command
/// that changes what the connection is — subscriber mode, a monitor stream, another database, user or protocol,
/// replies switched off, an open transaction or a watch — would change it for every caller after it, and some
/// (SUBSCRIBE, MONITOR, CLIENT REPLY) would hand replies to the wrong callers. `RedisClient.send(_:)` and
/// `RedisClient.pipeline(_:)` refuse them with the way to get the same effect safely; a pipeline may hold a
/// whole transaction (MULTI … EXEC or DISCARD), which is written in one piece and cannot interleave with anyone.
enum SharedConnectionCommands {
    /// Why `name` (uppercased, with its `arguments`) cannot run on a shared connection, or `nil` when it can.
    /// MULTI, EXEC and DISCARD are refused here; ``Batch`` accepts them as a transaction closed within a pipeline.
    static func refusal(_ name: String, _ arguments: [RedisArgument]) -> String? {
        switch name {
        case "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE":
            return "\(name) would turn a shared connection into a subscriber; use subscribe(_:)"
        case "MONITOR":
            return "MONITOR would stream every command into a shared connection's replies"
        case "SELECT":
            return "SELECT would move a shared connection to another database; set RedisConfiguration.database"
        case "AUTH", "HELLO", "RESET":
            return "\(name) would change a shared connection's user or protocol; set them in RedisConfiguration"
        case "QUIT":
            return "QUIT would close a shared connection; call shutdown()"
        case "WATCH", "UNWATCH":
            return "\(name) would leave a watch on a shared connection; use a script (eval) for check-and-set"
        case "MULTI", "EXEC", "DISCARD":
            return "\(name) alone would leave a transaction open on a shared connection; "
                + "send MULTI … EXEC (or DISCARD) together in one pipeline(_:)"
        case "CLIENT":
            guard arguments.count > 1, arguments[1].uppercasedName == "REPLY" else { return nil }
            return "CLIENT REPLY would leave commands on a shared connection without their replies"
        default:
            return nil
        }
    }

    /// Checks a batch command by command: each must pass ``refusal(_:_:)`` except MULTI, EXEC and DISCARD, which
    /// must form transactions that close within the batch (no nesting, no EXEC without MULTI).
    struct Batch {
        private var inTransaction = false

        /// Why the next command of the batch, `name` (uppercased) with its `arguments`, cannot run, or `nil`.
        mutating func refusal(_ name: String, _ arguments: [RedisArgument]) -> String? {
            switch name {
            case "MULTI":
                if inTransaction { return "MULTI inside a transaction: the batch nests MULTI" }
                inTransaction = true
                return nil
            case "EXEC", "DISCARD":
                if !inTransaction { return "\(name) without MULTI earlier in the batch" }
                inTransaction = false
                return nil
            default:
                return SharedConnectionCommands.refusal(name, arguments)
            }
        }

        /// Why the batch cannot end here, or `nil`.
        var refusalAtEnd: String? {
            inTransaction ? "MULTI without EXEC or DISCARD later in the batch would leave it open" : nil
        }
    }
}
