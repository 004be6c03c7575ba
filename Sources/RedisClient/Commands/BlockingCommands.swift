/// Recognises commands that block on the server, which must not hold up a pipelined connection.
enum BlockingCommands {
    /// How long the command `name` (uppercased) with its `arguments` may block (`.zero` for "forever"), or `nil`
    /// for a non-blocking command.
    static func blockingTime(_ name: String, _ arguments: [RedisArgument]) -> Duration? {
        switch name {
        case "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BZPOPMIN", "BZPOPMAX":
            return seconds(arguments.last)
        case "BLMPOP", "BZMPOP":
            return seconds(arguments.count > 1 ? arguments[1] : nil)
        case "WAIT", "WAITAOF":
            return milliseconds(arguments.last)
        case "XREAD", "XREADGROUP":
            for index in arguments.indices.dropLast() where arguments[index].uppercasedName == "BLOCK" {
                return milliseconds(arguments[index + 1])
            }
            return nil
        default:
            return nil
        }
    }

    private static func seconds(_ argument: RedisArgument?) -> Duration {
        guard let argument, let value = Double(argument.uppercasedName), value > 0, value < 1e9 else { return .zero }
        return .milliseconds(Int64(value * 1000))
    }

    private static func milliseconds(_ argument: RedisArgument?) -> Duration {
        guard let argument, let value = Int64(argument.uppercasedName), value > 0 else { return .zero }
        return .milliseconds(value)
    }
}
