/// Watches the RESP byte stream ahead of hiredis, reply by reply, and finds every reply above the configured caps,
/// so that a hostile or broken server cannot make the reader buffer or allocate without limit, and so that such a
/// reply costs only the command it answers: its bytes never reach the reader, and the replies around it do.
///
/// The caps are cumulative over a whole reply: its bytes on the wire (every line and bulk payload, nested ones
/// included) and its array elements (every level together). A header is checked before what it declares arrives,
/// so one header can never make the reader allocate more than the caps allow for the whole reply.
///
/// Every RESP value starts with a type byte and a line; only bulk payloads are raw, and their length is in the
/// header line. An array's header says how many values follow. Tracking "inside a line", "payload bytes left" and
/// "values left in this reply" is therefore enough to know, at any nesting depth, where each top-level reply ends.
///
/// A pure state machine over the bytes, used by ``ReplyStream``: ``next(_:from:)`` says what to do with the next
/// stretch of a buffer.
struct ReplySizeGuard {
    /// What to do with the bytes of a buffer from the offset ``ReplySizeGuard/next(_:from:)`` was given.
    enum Step: Equatable {
        /// Up to `end`, every byte belongs to replies within the caps: feed them to the reader.
        case feed(end: Int)
        /// A reply crossed a cap. Feed the bytes up to `feedEnd` (the replies before it), take what the reader
        /// completes, then drop the reader's partial state (the oversized reply's beginning, fed from earlier
        /// buffers); the bytes from `feedEnd` to `resume` belong to that reply and are skipped.
        case overflow(feedEnd: Int, resume: Int)
        /// Up to `end`, the bytes belong to the oversized reply being skipped, which goes on in the next buffer.
        case skip(end: Int)
        /// The oversized reply being skipped ended at `end`: its command fails with `error`.
        case skipped(end: Int, error: RedisError)
    }

    let maxReplyBytes: Int
    let maxReplyElements: Int

    /// Values of the current top-level reply still to come (0 between replies).
    private var valuesLeft = 0
    /// Bytes of the current reply so far, counting a bulk payload in full from its header on.
    private var replyBytes = 0
    /// Array elements the current reply has declared so far, at every level.
    private var replyElements = 0
    private var payloadLeft = 0
    private var inLine = false
    private var lineType: UInt8 = 0
    private var lineLength = 0
    private var number = 0
    private var negative = false
    private var overflow = false
    /// Set while the current reply is above the caps and being skipped: why.
    private var skipping: RedisError?

    init(maxReplyBytes: Int, maxReplyElements: Int) {
        self.maxReplyBytes = maxReplyBytes
        self.maxReplyElements = maxReplyElements
    }

    /// Scans `bytes` from `start` up to the next event (a reply crossing a cap, the end of a skipped reply) or the
    /// end of the buffer, and says what to do with what it scanned.
    /// - Throws: ``RedisError/Code/protocol`` for a length that no RESP value can have (it overflows an `Int`).
    mutating func next(_ bytes: UnsafeRawBufferPointer, from start: Int) throws(RedisError) -> Step {
        // Where the reply in progress began in this buffer; `start` when it began in an earlier one.
        var replyStart = start
        var index = start
        let count = bytes.count
        while index < count {
            if payloadLeft > 0 {
                let step = min(payloadLeft, count - index)
                payloadLeft -= step
                index += step
                if payloadLeft == 0, let end = try valueEnded(at: index) {
                    return end
                }
                continue
            }
            let byte = bytes[index]
            index += 1
            replyBytes += 1
            if !inLine {
                if valuesLeft == 0 {
                    valuesLeft = 1
                    replyBytes = 1
                    replyElements = 0
                    replyStart = index - 1
                }
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
                if let step = try endOfLine(at: index, replyStart: replyStart) {
                    return step
                }
                continue
            }
            lineLength += 1
            if skipping == nil, replyBytes > maxReplyBytes {
                return tooLarge(tooManyBytes, index, replyStart)
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
        return skipping == nil ? .feed(end: count) : .skip(end: count)
    }

    /// A header or simple line ended at `index`: its value is complete, or its payload or elements follow.
    private mutating func endOfLine(at index: Int, replyStart: Int) throws(RedisError) -> Step? {
        let isBulk = lineType == UInt8(ascii: "$")
        let isArray = lineType == UInt8(ascii: "*")
        guard (isBulk || isArray) && !negative else {
            return try valueEnded(at: index)
        }
        guard !overflow else {
            throw RedisError(.protocol, "a reply declares a length that does not fit in an Int")
        }
        // The structure first (a skipped reply must still be followed to its end), then the caps.
        if isBulk {
            payloadLeft = try Self.sum(number, 2)
            replyBytes = try Self.sum(replyBytes, payloadLeft)
            if skipping == nil, replyBytes > maxReplyBytes {
                return tooLarge(tooManyBytes, index, replyStart)
            }
            return nil
        }
        guard number > 0 else {
            return try valueEnded(at: index)
        }
        valuesLeft = try Self.sum(valuesLeft, number - 1)
        replyElements = try Self.sum(replyElements, number)
        if skipping == nil, replyElements > maxReplyElements {
            let what = "a reply with more than the cap of \(maxReplyElements) array elements"
            return tooLarge(what, index, replyStart)
        }
        return nil
    }

    private var tooManyBytes: String {
        "a reply of more than the cap of \(maxReplyBytes) bytes"
    }

    /// One value of the current reply is complete at `index`; when it was the last, the reply ends there.
    private mutating func valueEnded(at index: Int) throws(RedisError) -> Step? {
        valuesLeft -= 1
        guard valuesLeft == 0, let error = skipping else { return nil }
        skipping = nil
        return .skipped(end: index, error: error)
    }

    /// `a + b`, or a protocol error when no RESP value could declare that much.
    private static func sum(_ a: Int, _ b: Int) throws(RedisError) -> Int {
        let (total, overflowed) = a.addingReportingOverflow(b)
        guard !overflowed else {
            throw RedisError(.protocol, "a reply declares a length that does not fit in an Int")
        }
        return total
    }

    /// The current reply is above a cap: skip it from here on.
    private mutating func tooLarge(_ what: String, _ index: Int, _ replyStart: Int) -> Step {
        skipping = RedisError(.replyTooLarge, "\(what); the reply was skipped")
        return .overflow(feedEnd: replyStart, resume: index)
    }
}
