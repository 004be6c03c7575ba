/// A first-in-first-out queue of ``PendingCommand``s: replies arrive in the order commands were written.
struct CommandQueue {
    private var storage: [PendingCommand] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: PendingCommand? { isEmpty ? nil : storage[head] }

    mutating func append(_ command: PendingCommand) {
        storage.append(command)
    }

    mutating func popFirst() -> PendingCommand? {
        guard head < storage.count else { return nil }
        let command = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
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
        return remaining
    }
}
