internal import CAuthKitHiredis

/// Turns a command's arguments into RESP bytes with hiredis' `redisFormatCommandArgv` (pointer + length per
/// argument, so NUL bytes survive).
enum CommandEncoder {
    static func encode(_ arguments: [RedisArgument]) throws(RedisError) -> [UInt8] {
        guard !arguments.isEmpty else {
            throw RedisError(.invalidConfiguration, "a command needs at least one argument")
        }
        var flat: [UInt8] = []
        flat.reserveCapacity(arguments.reduce(0) { $0 + $1.byteCount })
        var offsets: [Int] = []
        var lengths: [Int] = []
        offsets.reserveCapacity(arguments.count)
        lengths.reserveCapacity(arguments.count)
        for argument in arguments {
            offsets.append(flat.count)
            switch argument.storage {
            case .string(let text): flat.append(contentsOf: text.utf8)
            case .bytes(let bytes): flat.append(contentsOf: bytes)
            }
            lengths.append(flat.count - offsets[offsets.count - 1])
        }
        // A zero-length buffer has no base address; one spare byte gives every empty argument a valid pointer.
        flat.append(0)
        let encoded: [UInt8]? = flat.withUnsafeBufferPointer { buffer -> [UInt8]? in
            guard let base = buffer.baseAddress else { return nil }
            var pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                UnsafeRawPointer(base + offset).assumingMemoryBound(to: CChar.self)
            }
            var target: UnsafeMutablePointer<CChar>?
            let length = pointers.withUnsafeMutableBufferPointer { argv in
                lengths.withUnsafeBufferPointer { argvlen in
                    redisFormatCommandArgv(&target, Int32(arguments.count), argv.baseAddress, argvlen.baseAddress)
                }
            }
            guard length >= 0, let command = target else { return nil }
            defer { CAuthKitHiredis_freeCommand(command) }
            return UnsafeRawBufferPointer(start: command, count: Int(length)).map { $0 }
        }
        guard let encoded else {
            throw RedisError(.protocol, "hiredis could not format the command")
        }
        return encoded
    }
}
