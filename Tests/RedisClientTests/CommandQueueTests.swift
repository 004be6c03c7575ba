import Testing

@testable import RedisClient

/// The order and the deadlines of the commands waiting on one connection.
@Suite("CommandQueue")
struct CommandQueueTests {
    private static func command(_ deadline: UInt64) -> PendingCommand {
        PendingCommand(deadline: deadline) { _ in }
    }

    @Test("replies are matched first in, first out, across a compaction of the storage")
    func fifo() {
        var queue = CommandQueue()
        for index in 0..<3000 {
            queue.append(Self.command(UInt64(index)))
        }
        for index in 0..<2500 {
            #expect(queue.popFirst()?.deadline == UInt64(index))
        }
        queue.append(Self.command(9999))
        #expect(queue.count == 501)
        #expect(queue.first?.deadline == 2500)
        #expect(queue.removeAll().map(\.deadline) == Array(2500..<3000).map(UInt64.init) + [9999])
        #expect(queue.isEmpty && queue.popFirst() == nil)
    }

    @Test("a deadline behind the head is found when it passes, not when the head's does")
    func overdueBehindTheHead() {
        var queue = CommandQueue()
        // A setup command with the connect deadline, then a caller's command with an earlier deadline.
        queue.append(Self.command(5_000))
        queue.append(Self.command(300))
        #expect(queue.nextDeadline(now: 100) == 300)
        #expect(queue.nextDeadline(now: 300) == 300)
    }

    @Test("a deadline whose command was answered no longer counts; the next one does")
    func answeredCommandsDropOut() {
        var queue = CommandQueue()
        queue.append(Self.command(300))
        queue.append(Self.command(800))
        queue.append(Self.command(600))
        _ = queue.popFirst()
        // Before the remembered bound (300) passes, it is what the loop wakes up for.
        #expect(queue.nextDeadline(now: 200) == 300)
        // Once it has passed, its command is gone: rescan; nothing is overdue before 600.
        #expect(queue.nextDeadline(now: 400) == 600)
        #expect(queue.nextDeadline(now: 700) == 600)
        _ = queue.removeAll()
        #expect(queue.nextDeadline(now: 10_000) == nil)
    }

    @Test("an empty queue after its last reply forgets every deadline")
    func emptiedQueue() {
        var queue = CommandQueue()
        queue.append(Self.command(300))
        _ = queue.popFirst()
        #expect(queue.nextDeadline(now: 1_000) == nil)
    }
}
