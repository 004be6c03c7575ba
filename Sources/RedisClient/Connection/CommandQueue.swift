/// A first-in-first-out queue of ``PendingCommand``s: replies arrive in the order commands were written.
///
/// It also answers which queued command is overdue. Deadlines are not in queue order (a setup command carries
/// the connect deadline, a caller may be preempted between computing its deadline and queuing), so the head alone
/// does not tell: the queue keeps a lower bound of its earliest deadline, lowered on every append, and rescans
/// only when that bound has passed — at most once per deadline that passes, however long the queue.
struct CommandQueue {
    private var storage: [PendingCommand] = []
    private var head = 0
    /// At most the earliest deadline of any queued command (`.max` when empty); exact right after a rescan.
    private var earliestBound = UInt64.max

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: PendingCommand? { isEmpty ? nil : storage[head] }

    mutating func append(_ command: PendingCommand) {
        storage.append(command)
        earliestBound = min(earliestBound, command.deadline)
    }

    mutating func popFirst() -> PendingCommand? {
        guard head < storage.count else { return nil }
        let command = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
            earliestBound = .max
        } else if head >= 1024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return command
    }

    mutating func removeAll() -> [PendingCommand] {
        let remaining = Array(storage[head...])
        storage.removeAll()
        head = 0
        earliestBound = .max
        return remaining
    }

    /// When the queue must be looked at again: the earliest deadline of a queued command once that has passed at
    /// `now` (that command is overdue), otherwise a time no later than the earliest deadline; `nil` when empty.
    mutating func nextDeadline(now: UInt64) -> UInt64? {
        if earliestBound <= now {
            earliestBound = storage[head...].lazy.map(\.deadline).min() ?? .max
        }
        return earliestBound == .max ? nil : earliestBound
    }
}
