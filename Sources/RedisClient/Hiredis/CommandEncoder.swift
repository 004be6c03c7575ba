internal import CAuthKitHiredis

/// Turns a command's arguments into RESP bytes with hiredis' `redisFormatCommandArgv` (pointer + length per
/// argument, so NUL bytes survive).
///
/// Every command of every call goes through here, so the bookkeeping is kept to one buffer of argument bytes:
/// the pointer and length arrays hiredis reads live in a temporary allocation, and its output is copied into
/// the caller's buffer in one `memcpy` (a pipeline appends all its commands to one buffer).
enum CommandEncoder {
    static func encode(_ arguments: [RedisArgument]) throws(RedisError) -> [UInt8] {
        var output: [UInt8] = []
        try encode(arguments, appendingTo: &output)
        return output
    }

    /// Appends the RESP form of `arguments` to `output`.
    static func encode(_ arguments: [RedisArgument], appendingTo output: inout [UInt8]) throws(RedisError) {
        guard !arguments.isEmpty else {
            throw RedisError(.invalidConfiguration, "a command needs at least one argument")
        }
        var flat: [UInt8] = []
        flat.reserveCapacity(arguments.reduce(1) { $0 + $1.byteCount })
        for argument in arguments {
            switch argument.storage {
            case .string(let text): flat.append(contentsOf: text.utf8)
            case .bytes(let bytes): flat.append(contentsOf: bytes)
            }
        }
        // A zero-length buffer has no base address; one spare byte gives every empty argument a valid pointer.
        flat.append(0)
        let count = arguments.count
        let formatted = flat.withUnsafeBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: count) { pointers in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: count) { lengths -> Bool in
                    guard let argv = pointers.baseAddress, let argvlen = lengths.baseAddress else { return false }
                    var offset = 0
                    for (index, argument) in arguments.enumerated() {
                        let length = argument.byteCount
                        (argv + index).initialize(
                            to: UnsafeRawPointer(base + offset).assumingMemoryBound(to: CChar.self)
                        )
                        (argvlen + index).initialize(to: length)
                        offset += length
                    }
                    var target: UnsafeMutablePointer<CChar>?
                    let length = redisFormatCommandArgv(&target, Int32(count), argv, argvlen)
                    guard length >= 0, let command = target else { return false }
                    defer { CAuthKitHiredis_freeCommand(command) }
                    output.append(contentsOf: UnsafeRawBufferPointer(start: command, count: Int(length)))
                    return true
                }
            }
        }
        guard formatted else {
            throw RedisError(.protocol, "hiredis could not format the command")
        }
    }
}
