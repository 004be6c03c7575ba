/// Watches the RESP byte stream ahead of hiredis and rejects a bulk string or array header above the configured
/// caps, so that a hostile or broken server cannot make the reader buffer without limit.
///
/// Every RESP value starts with a type byte and a line; only bulk payloads are raw, and their length is in the
/// header line. Tracking "inside a line" and "bytes of payload left" is therefore enough at any nesting depth.
struct ReplySizeGuard {
    let maxBulkLength: Int
    let maxElements: Int

    private var payloadLeft = 0
    private var inLine = false
    private var lineType: UInt8 = 0
    private var lineLength = 0
    private var number = 0
    private var negative = false
    private var overflow = false

    init(maxBulkLength: Int, maxElements: Int) {
        self.maxBulkLength = maxBulkLength
        self.maxElements = maxElements
    }

    mutating func scan(_ bytes: UnsafeRawBufferPointer) throws(RedisError) {
        var index = 0
        let count = bytes.count
        while index < count {
            if payloadLeft > 0 {
                let step = min(payloadLeft, count - index)
                payloadLeft -= step
                index += step
                continue
            }
            let byte = bytes[index]
            index += 1
            if !inLine {
                inLine = true
                lineType = byte
                lineLength = 0
                number = 0
                negative = false
                overflow = false
                continue
            }
            if byte == UInt8(ascii: "\n") {
                inLine = false
                try endOfLine()
                continue
            }
            lineLength += 1
            if lineLength > maxBulkLength {
                throw RedisError(.protocol, "reply line longer than the cap of \(maxBulkLength) bytes")
            }
            if lineType == UInt8(ascii: "$") || lineType == UInt8(ascii: "*") {
                if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                    let (times, o1) = number.multipliedReportingOverflow(by: 10)
                    let (sum, o2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
                    number = sum
                    overflow = overflow || o1 || o2
                } else if byte == UInt8(ascii: "-") {
                    negative = true
                }
            }
        }
    }

    private mutating func endOfLine() throws(RedisError) {
        if lineType == UInt8(ascii: "$") {
            guard !negative else { return }
            if overflow || number > maxBulkLength {
                throw RedisError(.protocol, "bulk reply larger than the cap of \(maxBulkLength) bytes")
            }
            payloadLeft = number + 2
        } else if lineType == UInt8(ascii: "*") {
            if !negative && (overflow || number > maxElements) {
                throw RedisError(.protocol, "array reply with more than the cap of \(maxElements) elements")
            }
        }
    }
}
